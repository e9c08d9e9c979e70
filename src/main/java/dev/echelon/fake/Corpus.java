package dev.echelon.fake;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fake models' small "pretraining corpus": a few hundred plain English sentences on varied topics. The text
 * generator builds a word-level Markov chain over them, biased to the topic a prompt's keywords select.
 */
final class Corpus {

    record Topic(String name, Set<String> keywords, List<String> sentences) {
    }

    static final List<Topic> TOPICS = List.of(
            topic("general", "story once day friend family home life morning weekend person people time",
                    """
                    Once upon a time, a young girl lived with her family in a small house near the river.
                    Every morning she walked to the market to buy fresh bread and milk.
                    Her best friend liked to tell long stories about the old mill on the hill.
                    One day they found a lost dog waiting by the gate of the park.
                    The dog was hungry, so they shared their lunch with it.
                    After that day the dog followed them everywhere they went.
                    People in the town said it was the friendliest dog they had ever seen.
                    On the weekend the whole family went for a long walk in the hills.
                    They packed sandwiches, apples and a warm blanket for the afternoon.
                    In the evening they sat together and talked about the day.
                    A good friend is someone who listens and tells you the truth.
                    Small habits, repeated every day, shape the kind of person you become.
                    Most people feel better after a quiet walk and a good night of sleep.
                    It is often easier to start a task than to keep going when it gets hard.
                    The neighbours kept a small garden with roses, beans and tomatoes.
                    When the rain stopped, the children ran outside to play in the puddles.
                    He wrote a short letter to his grandmother and sent it the next morning.
                    Life in a small town moves slowly, and everyone knows the baker by name.
                    The old clock in the hall stopped at noon and nobody ever fixed it.
                    She smiled, closed the book and promised to finish it tomorrow.
                    """),
            topic("science", "science physics chemistry biology energy atom atoms cell cells experiment molecule "
                    + "light heat gravity force electron evolution gene dna water temperature",
                    """
                    Energy cannot be created or destroyed, it can only change from one form to another.
                    An atom is made of a small dense nucleus surrounded by a cloud of electrons.
                    Water boils at a lower temperature at high altitude because the air pressure is lower.
                    Light travels at about three hundred thousand kilometres per second in a vacuum.
                    Every living thing is made of cells, and every cell comes from another cell.
                    The genetic code is stored in long molecules of DNA inside the nucleus of the cell.
                    Evolution explains how populations change over many generations through natural selection.
                    A good experiment changes one variable at a time and keeps the others fixed.
                    Chemical reactions rearrange atoms into new molecules without changing the atoms themselves.
                    Heat flows from a warmer object to a colder one until both reach the same temperature.
                    Gravity pulls every mass toward every other mass, and it weakens with distance.
                    The force on an object equals its mass times its acceleration.
                    Plants use sunlight, water and carbon dioxide to make sugar and release oxygen.
                    Sound is a wave of pressure that needs a medium such as air or water to travel.
                    Scientists trust a result more when other groups can repeat the experiment.
                    Electrons in a metal move freely, which is why metals conduct electricity so well.
                    The periodic table groups elements by the structure of their electrons.
                    Ice floats because water expands slightly when it freezes.
                    A hypothesis is useful only if an experiment could show that it is wrong.
                    Enzymes speed up reactions in the body without being used up themselves.
                    """),
            topic("space", "space planet planets star stars moon orbit galaxy telescope rocket universe sun mars "
                    + "earth astronaut solar comet asteroid",
                    """
                    The Earth orbits the Sun once every year at a distance of about one hundred and fifty million kilometres.
                    The Moon always shows the same face to the Earth because its rotation is locked to its orbit.
                    Mars is a cold desert planet with the largest volcano in the solar system.
                    A galaxy is a huge collection of stars, gas and dust held together by gravity.
                    Our galaxy, the Milky Way, contains more than one hundred billion stars.
                    Light from distant galaxies shows that the universe is still expanding.
                    A rocket works by throwing mass backward so that it is pushed forward.
                    Astronauts on the space station see sixteen sunrises every day.
                    Comets are balls of ice and dust that grow bright tails near the Sun.
                    A telescope collects more light than the human eye, so faint objects become visible.
                    Jupiter is so large that all the other planets could fit inside it.
                    Stars are born in cold clouds of gas that collapse under their own gravity.
                    When a massive star runs out of fuel, it can explode as a supernova.
                    A black hole is a region where gravity is so strong that not even light can escape.
                    The rings of Saturn are made of countless pieces of ice and rock.
                    Sending a probe to another planet requires careful planning of its orbit.
                    The solar system formed about four and a half billion years ago from a disk of gas.
                    Most asteroids orbit the Sun in a belt between Mars and Jupiter.
                    """),
            topic("history", "history war empire century ancient king queen revolution rome roman medieval "
                    + "kingdom battle civilization dynasty treaty",
                    """
                    The Roman Empire built roads, bridges and aqueducts that are still standing today.
                    Ancient Egypt grew along the river Nile, which flooded every year and fed the fields.
                    The printing press changed Europe by making books cheap and common.
                    Many ancient cities were built near rivers because water meant food and trade.
                    The industrial revolution moved work from farms and homes into large factories.
                    Historians compare letters, records and objects to understand what really happened.
                    The Silk Road connected China with the Mediterranean for more than a thousand years.
                    Medieval castles were built on hills so that defenders could see an army coming.
                    The fall of an empire usually takes many years and has more than one cause.
                    Trade spread not only goods but also ideas, languages and religions.
                    Writing was invented several times in different parts of the ancient world.
                    The first universities in Europe appeared in the twelfth century.
                    A treaty often ended a war but also planted the seeds of the next conflict.
                    In the nineteenth century railways changed how people thought about time and distance.
                    The Great Wall was built and rebuilt over many centuries by different dynasties.
                    Kings and queens often married to seal alliances between kingdoms.
                    Every generation writes history again with new questions and new sources.
                    """),
            topic("cooking", "cook cooking recipe food bread soup kitchen bake baking dinner lunch flavor flavour "
                    + "salt sugar pasta sauce oven vegetables meal eat",
                    """
                    A good soup starts with onions cooked slowly in a little oil until they are soft.
                    Bread needs flour, water, salt and yeast, and above all it needs time.
                    Salt brings out flavour, so add a little at each step rather than all at the end.
                    Pasta should be cooked in plenty of salted water and tasted a minute before the time on the packet.
                    Roasting vegetables in a hot oven makes them sweet and slightly crisp.
                    A sharp knife is safer than a dull one because it does not slip.
                    Fresh herbs are best added at the end, while dried herbs need time to release their flavour.
                    Let the meat rest for a few minutes before cutting it so that the juices stay inside.
                    A simple tomato sauce needs garlic, olive oil, tomatoes and a pinch of salt.
                    Baking is more precise than cooking, so weigh the flour instead of using cups.
                    Rice cooks evenly when you rinse it first and keep the lid on the pot.
                    A squeeze of lemon can lift a heavy dish and make it taste fresh.
                    Eggs are easier to peel when they are cooled in cold water right after boiling.
                    The kitchen smelled of warm bread and coffee on Sunday morning.
                    Plan the meal so that everything is ready at the same time.
                    Cheap ingredients become a great dinner when they are cooked with care.
                    Taste the food as you cook and adjust the seasoning before you serve it.
                    """),
            topic("travel", "travel trip city cities country countries mountain mountains river coast map visit "
                    + "train flight hotel journey beach island tourist",
                    """
                    The train follows the coast for two hours before it turns inland toward the mountains.
                    Travelling slowly lets you notice the small things that make a place special.
                    A good map and comfortable shoes are the most useful things to pack.
                    The old city is best explored on foot, early in the morning before the crowds arrive.
                    Many travellers remember the people they met more than the places they saw.
                    The island can only be reached by a small ferry that leaves twice a day.
                    Learning a few words of the local language makes every conversation warmer.
                    The mountain village has one hotel, one shop and a view that nobody forgets.
                    Flights are cheaper when you book early and travel in the middle of the week.
                    The river divides the city into an old town and a new business district.
                    Street markets are a good place to taste the local food and watch daily life.
                    A long journey by train gives you time to read, think and look out of the window.
                    The beach was quiet in the evening, and the sky turned orange over the sea.
                    Always keep a copy of your passport separate from the original.
                    The road climbs through forests and small farms before it reaches the pass.
                    Some of the best trips happen when the plan changes at the last minute.
                    """),
            topic("health", "health healthy sleep exercise diet heart doctor fitness stress body muscle walking "
                    + "running nutrition vitamin disease medicine",
                    """
                    Regular exercise strengthens the heart and improves mood and sleep.
                    Most adults need seven to nine hours of sleep to feel rested.
                    A balanced diet includes vegetables, fruit, whole grains and enough protein.
                    Walking every day is one of the simplest ways to stay healthy.
                    Drinking enough water helps the body regulate its temperature.
                    Stress in small doses can help, but long periods of stress harm the body.
                    Muscles grow stronger when they are challenged and then given time to recover.
                    A doctor can help you find the cause of a symptom instead of only treating it.
                    Stretching after exercise keeps the muscles flexible and reduces stiffness.
                    Too much sugar raises the risk of many diseases over time.
                    Good sleep starts with a regular routine and a dark, quiet room.
                    Vaccines train the immune system to recognise a disease before it strikes.
                    Running builds endurance, but it is wise to increase the distance slowly.
                    Washing hands is one of the most effective ways to prevent infection.
                    Breathing slowly and deeply can calm the body in a stressful moment.
                    Health is shaped by many small choices made every single day.
                    """),
            topic("finance", "money budget invest investing investment market price prices bank economy interest "
                    + "tax inflation savings stock stocks loan debt finance cost",
                    """
                    A budget shows where your money goes and helps you decide where it should go.
                    Compound interest means that you earn interest on your interest over time.
                    Inflation slowly reduces what a fixed amount of money can buy.
                    Spreading investments across many assets lowers the risk of a large loss.
                    Prices rise when demand grows faster than supply.
                    A central bank raises interest rates to cool down an economy that is growing too fast.
                    Paying off expensive debt is often the best investment a family can make.
                    An emergency fund covers several months of expenses in case of bad news.
                    Markets go up and down, so long term investors try not to react to every change.
                    Taxes pay for roads, schools, hospitals and many other public services.
                    A loan costs more than its price because of the interest paid over its life.
                    Small savings every month can grow into a large sum over many years.
                    Companies issue stock to raise money from investors who share in the profits.
                    The cost of a product includes materials, labour, transport and marketing.
                    A healthy economy creates jobs and lets wages rise with productivity.
                    Comparing prices before a large purchase can save a surprising amount of money.
                    """),
            topic("programming", "code coding function functions program programming software bug bugs test tests "
                    + "python java javascript variable loop compiler refactor class method debug string list array "
                    + "implement implementation script",
                    """
                    A function should do one thing and have a name that says what it does.
                    Good tests describe the behaviour of the code, not the details of its implementation.
                    A bug is easier to fix when you can reproduce it with a small example.
                    The compiler checks the types before the program ever runs.
                    A loop repeats a block of code until a condition is no longer true.
                    Clear variable names make code easier to read than long comments.
                    Refactoring changes the structure of the code without changing what it does.
                    Python uses indentation to show which lines belong to a block.
                    In Java every value has a type, and the compiler rejects a program that mixes them up.
                    A list keeps its items in order, while a set keeps only unique items.
                    Version control lets a team work on the same code without losing changes.
                    Reading the error message carefully is the first step in debugging.
                    A class groups data together with the methods that work on it.
                    Small pull requests are reviewed faster and hide fewer bugs.
                    Immutable objects are easier to share safely between threads.
                    The function returns the result instead of printing it, so it is easy to test.
                    Edge cases such as an empty list or a missing value deserve their own tests.
                    A good program fails early with a clear message when its input is wrong.
                    Recursion solves a problem by solving a smaller version of the same problem.
                    The standard library often already contains the function you are about to write.
                    This implementation runs in linear time and uses constant extra memory.
                    The code handles an empty input by returning early.
                    """),
            topic("systems", "server servers database databases network cache latency memory cluster disk query "
                    + "queries api request requests throughput storage index replication backup linux process "
                    + "thread kubernetes container",
                    """
                    A cache keeps recent results close to where they are needed so that requests are faster.
                    Latency is the time one request takes, while throughput is how many requests finish per second.
                    An index lets the database find rows without scanning the whole table.
                    Replication copies data to several servers so that one failure does not lose it.
                    A backup is only useful if you have tested that you can restore it.
                    Memory is fast but small, while disk is large but much slower.
                    A load balancer spreads incoming requests across the servers in a cluster.
                    Every network call can fail, so clients need timeouts and retries.
                    A process has its own memory, while threads inside it share the same memory.
                    Queries that run often deserve an index on the columns they filter by.
                    Containers package an application with everything it needs to run.
                    Monitoring the error rate and the latency shows when a service is in trouble.
                    A queue absorbs bursts of traffic so that the workers can keep a steady pace.
                    Writing to the log before changing the data makes recovery after a crash possible.
                    The server returns an error quickly when it is overloaded instead of timing out.
                    Reading from memory is about a thousand times faster than reading from disk.
                    An API should be stable, because every change can break its clients.
                    Logs, metrics and traces together explain what a system was doing.
                    """),
            topic("ml", "model models training train neural learning machine data dataset gradient inference token "
                    + "tokens llm transformer embedding embeddings accuracy overfitting prediction ai attention",
                    """
                    A neural network learns by adjusting its weights to reduce the error on the training data.
                    Gradient descent takes small steps in the direction that lowers the loss.
                    A model that memorises the training data but fails on new data is overfitting.
                    The test set must be kept apart from the training data until the very end.
                    Embeddings turn words or documents into vectors that capture their meaning.
                    A language model predicts the next token from the tokens that came before it.
                    The transformer uses attention to decide which earlier tokens matter for the next one.
                    More data usually helps more than a cleverer model.
                    Inference is the cost of running a trained model on new input.
                    A smaller model can draft tokens that a larger model then verifies in a single pass.
                    Quantisation stores the weights with fewer bits so that the model needs less memory.
                    Accuracy alone can mislead when one class is much more common than the others.
                    Good features often matter more than the choice of algorithm.
                    A learning rate that is too high makes the training unstable.
                    Evaluation on realistic examples is the only way to know whether a model is useful.
                    The model assigns a probability to every token in its vocabulary.
                    Fine tuning adapts a general model to a narrow task with a small dataset.
                    """),
            topic("math", "math mathematics equation equations number numbers prime primes proof prove theorem "
                    + "algebra geometry integral derivative probability sum calculate solve fraction triangle "
                    + "square root percent",
                    """
                    A prime number has exactly two divisors, one and itself.
                    There are infinitely many primes, as Euclid proved more than two thousand years ago.
                    The derivative of a function measures how fast it changes at a point.
                    An integral adds up infinitely many small pieces to find an area.
                    In a right triangle the square of the longest side equals the sum of the squares of the other two.
                    A proof by induction shows that a statement holds for one case and for every next case.
                    The probability of two independent events both happening is the product of their probabilities.
                    To solve an equation, apply the same operation to both sides until the unknown stands alone.
                    The sum of the first hundred whole numbers is five thousand and fifty.
                    A fraction can be simplified by dividing the top and the bottom by the same number.
                    Every whole number greater than one can be written as a product of primes in one way.
                    The square root of two cannot be written as a fraction of two whole numbers.
                    The average of a set of numbers is their sum divided by how many there are.
                    A function maps every input to exactly one output.
                    Geometry studies shapes, sizes and the space around them.
                    First we write down what we know, and then we look for the step that connects it to the goal.
                    Checking the answer with a small example catches many mistakes.
                    """),
            topic("arts", "music song songs paint painting art artist piano guitar film movie poem poetry novel "
                    + "book books dance theatre singer",
                    """
                    A good song often repeats a simple melody so that listeners can remember it.
                    The painter mixed blue and yellow to find the exact green of the spring leaves.
                    Learning the piano takes patience, but a few minutes every day add up quickly.
                    A poem can say in a few lines what a long essay struggles to explain.
                    The film was shot in black and white to give it the feeling of an old memory.
                    Many great novels begin with a small event that changes a quiet life.
                    Rhythm is what makes people want to move when they hear music.
                    The guitar has six strings, and each one can be tuned to a different note.
                    An artist learns by copying the masters before finding a personal style.
                    The theatre was full, and the audience stood up to applaud at the end.
                    A story needs a character who wants something and an obstacle in the way.
                    Colour, light and shadow give a painting its depth and mood.
                    The orchestra tuned their instruments while the lights slowly went down.
                    Reading widely is the best training for anyone who wants to write.
                    """),
            topic("nature", "nature forest forests animal animals bird birds ocean tree trees climate weather rain "
                    + "garden dog dogs cat cats fish river flowers environment wildlife",
                    """
                    Forests store carbon and give shelter to thousands of kinds of animals.
                    Birds fly south in the autumn when food becomes scarce in the north.
                    The ocean covers more than two thirds of the surface of the Earth.
                    Trees talk to each other through a network of roots and fungi in the soil.
                    A healthy garden needs sunlight, good soil and regular water.
                    The weather changes from day to day, while the climate describes the long term pattern.
                    Bees carry pollen from flower to flower and help plants make seeds.
                    The cat slept in the sun all afternoon and ignored the birds in the garden.
                    Dogs were the first animals to live with humans, many thousands of years ago.
                    Rain fills the rivers, and the rivers carry the water back to the sea.
                    Coral reefs are home to a quarter of all the fish in the ocean.
                    Wolves changed the rivers of the park by changing where the deer could graze.
                    A warmer climate moves the range of many plants and animals toward the poles.
                    In spring the forest fills with the sound of birds building their nests.
                    Protecting wild places is easier than restoring them once they are damaged.
                    The fox waited patiently near the edge of the field.
                    """),
            topic("design", "design architecture tradeoff tradeoffs trade component components service services "
                    + "scalability scale interface interfaces module modules microservices monolith pattern "
                    + "patterns coupling requirements",
                    """
                    Good architecture keeps the parts that change together in the same place.
                    Every design is a trade off between simplicity, performance and flexibility.
                    A clear interface hides the details of a component behind a small set of operations.
                    Loose coupling lets one module change without breaking the others.
                    Start with a simple monolith and split it into services only when there is a real reason.
                    Scalability means the system can handle more load by adding more resources.
                    Write down the requirements and the constraints before choosing a pattern.
                    A good design makes the common case fast and the rare case correct.
                    Each service should own its data and expose it only through its interface.
                    Failure handling must be part of the design from the first day, not an afterthought.
                    Caching improves latency but adds the problem of keeping data consistent.
                    The simplest design that meets the requirements is usually the easiest to change later.
                    Events let services react to changes without calling each other directly.
                    A diagram of the main components and their connections helps the whole team agree.
                    Measure the real bottleneck before optimising any part of the system.
                    Then we compare the options against the requirements and pick the one with the fewest risks.
                    First, identify the main use cases, and then decide which components serve each one.
                    """));

    /** Extra common words for the tokenizer's vocabulary (the corpus words are added automatically). */
    static final String COMMON_WORDS = """
            the be to of and a in that have i it for not on with he as you do at this but his by from they we say
            her she or an will my one all would there their what so up out if about who get which go me when make can
            like time no just him know take people into year your good some could them see other than then now look
            only come its over think also back after use two how our work first well way even new want because any
            these give day most us is are was were been has had did does said made found used each many much more
            very here where why yes hello hi thanks thank please sorry sure okay answer question questions help
            example examples result results value values number numbers item items list text word words line lines
            file files name names input output true false none null return returns returned step steps first second
            third finally therefore however because while since until before after during between through under
            above below again further once both few same own such too very can will just should now explain
            explained explanation describe summary summarize short brief detail details simple complex problem
            problems solution solutions approach method methods idea ideas point points reason reasons case cases
            important useful common different possible better best small large long high low fast slow easy hard
            right wrong left start end begin begins began ends total count counts sum average maximum minimum max min
            reverse reversed sort sorted order filter even odd prime fibonacci factorial palindrome string strings
            integer integers float boolean char array arrays map maps set sets key keys dict dictionary tuple object
            objects json schema field fields property properties type types required optional status error errors
            def class public private static void int long double final import from print println console log let
            const var function self this new null none elif else if for while in range len append return yield
            lambda try catch except finally throw throws raise assert package interface extends implements super
            select where group by insert update delete create table values join inner outer limit
            think thought believe maybe perhaps probably likely unlikely certain uncertain not sure know
            """;

    static final List<String> GREETINGS = List.of(
            "Hello! How can I help you today?",
            "Hi there! What would you like to talk about?",
            "Hello! I am happy to help. What do you need?",
            "Hi! Ask me anything, and I will do my best to answer.");

    static final List<String> HEDGES = List.of(
            "I think", "It may be that", "Perhaps", "I am not sure, but", "It could be that", "Maybe");

    private Corpus() {
    }

    private static Topic topic(String name, String keywords, String text) {
        List<String> sentences = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                sentences.add(s);
            }
        }
        return new Topic(name, Set.of(keywords.toLowerCase(Locale.ROOT).split("\\s+")), List.copyOf(sentences));
    }

    static Topic topic(String name) {
        for (Topic t : TOPICS) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
