package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.InstancePool;
import dev.echelon.backend.InstanceStatus;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.routing.Classifier;
import dev.echelon.routing.ComplexityRouter;
import dev.echelon.routing.FeatureExtractor;
import dev.echelon.routing.RoutingDecision;
import dev.echelon.routing.SkillTracker;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The task router behind {@code model: auto}: request features, a kNN over labelled exemplars and past outcomes,
 * the skill tracker's posterior per (category, role) and the residency state (a cold role costs its expected wait)
 * choose the cheapest role likely to succeed. Every judged attempt teaches the tracker, whose state is saved to the
 * data directory (atomically, at most every few seconds, and at shutdown) so that what was learned survives a restart.
 */
public final class ComplexityTaskRouter implements TaskRouter {

    private static final Logger LOG = Logger.getLogger(ComplexityTaskRouter.class);
    private static final long SAVE_EVERY_MS = 5_000;
    private static final com.fasterxml.jackson.databind.ObjectMapper EXPLAIN_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                    .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    private final ComplexityRouter router;
    private final InstancePool pool;
    private final ModelRegistry registry;
    private final Path skillsFile;
    private final FeatureExtractor extractor;
    private final Classifier classifier;
    private final AtomicLong lastSave = new AtomicLong();
    private final AtomicLong unsaved = new AtomicLong();

    public ComplexityTaskRouter(ComplexityRouter router, InstancePool pool, ModelRegistry registry, Path skillsFile) {
        this.router = router;
        this.pool = pool;
        this.registry = registry;
        this.skillsFile = skillsFile;
        this.extractor = FeatureExtractor.fromRegistry(registry);
        this.classifier = Classifier.fromRegistry(registry);
        router.index().ifPresent(i -> i.warmUp()); // embeds the exemplars once, now rather than on a request
        SkillTracker.LoadResult loaded = router.tracker().load(skillsFile);
        LOG.infof("skill tracker: %s (%s)", loaded.status(), loaded.message());
    }

    public ComplexityRouter router() {
        return router;
    }

    /**
     * What {@code auto} would do with a one-message request of {@code prompt}, and why — features, category,
     * difficulty, neighbours, every role's predicted success, cost and expected wait — as JSON (snake_case). Embeds
     * the prompt: call it off the event loop.
     */
    public ObjectNode explain(String prompt) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        return (ObjectNode) EXPLAIN_JSON.valueToTree(router.explain(body, this::expectedWaitSeconds));
    }

    /** Seconds until a role could answer: 0 when ready, its load timeout's order when warming, long when down. */
    public double expectedWaitSeconds(String role) {
        InstanceStatus s = pool.status(role);
        return switch (s) {
            case READY -> 0;
            case WARMING -> registry.role(role).map(r -> Math.min(30.0, r.timeouts().loadMs() / 10_000.0)).orElse(10.0);
            // held cold by the residency controller: a load from NVMe, about twice a warm-up's wait
            case COLD -> registry.role(role).map(r -> Math.min(60.0, r.timeouts().loadMs() / 5_000.0)).orElse(20.0);
            case DOWN -> 600;
        };
    }

    /**
     * For {@code auto}, the full decision (features, neighbours, skills, residency). For an explicit role only the
     * rule classifier runs — microseconds, no embedding — because the category then only picks the escalation chain
     * and keys what the tracker learns.
     */
    @Override
    public Classified classify(GenerationCall call, boolean forRouting) {
        JsonNode body = chatBody(call);
        if (forRouting) {
            ComplexityRouter.Routed routed = router.route(body, this::expectedWaitSeconds);
            return new Classified(routed.category(), routed);
        }
        return new Classified(classifier.classify(extractor.extract(body)).category(), null);
    }

    @Override
    public RoutingDecision routeAuto(GenerationCall call, Classified classified) {
        return ((ComplexityRouter.Routed) classified.state()).decision();
    }

    @Override
    public void outcome(Classified classified, String role, boolean success, double weight) {
        if (classified.state() instanceof ComplexityRouter.Routed routed) {
            router.recordOutcome(routed, role, success, weight);
        } else {
            router.tracker().record(classified.category(), role, success, weight);
        }
        unsaved.incrementAndGet();
        long now = System.currentTimeMillis();
        long last = lastSave.get();
        if (now - last >= SAVE_EVERY_MS && lastSave.compareAndSet(last, now)) {
            save();
        }
    }

    /** Writes the learned skills (also called at shutdown). */
    public void save() {
        if (unsaved.getAndSet(0) == 0) {
            return;
        }
        try {
            router.tracker().save(skillsFile);
        } catch (IOException e) {
            LOG.warnf("cannot save skills to %s: %s", skillsFile, e.toString());
        }
    }

    /** Legacy completions carry a prompt, not messages: route them as one user message. */
    private static JsonNode chatBody(GenerationCall call) {
        if (call.endpoint() == Endpoint.CHAT) {
            return call.body();
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("messages").addObject().put("role", "user")
                .put("content", call.body().path("prompt").isTextual() ? call.body().path("prompt").asText() : "");
        return body;
    }
}
