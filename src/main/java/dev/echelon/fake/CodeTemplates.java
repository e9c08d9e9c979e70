package dev.echelon.fake;

import java.util.Map;
import java.util.Set;

/** Small, correct functions in three languages, picked by what the prompt asks the code to do. */
final class CodeTemplates {

    enum Op { REVERSE, SORT, SUM, MAX, MIN, COUNT, FIBONACCI, FACTORIAL, PRIME, PALINDROME, AVERAGE, EVEN, UNIQUE,
        GENERIC }

    private CodeTemplates() {
    }

    static Op op(Set<String> words) {
        if (has(words, "fibonacci")) {
            return Op.FIBONACCI;
        }
        if (has(words, "factorial")) {
            return Op.FACTORIAL;
        }
        if (has(words, "palindrome", "palindromes")) {
            return Op.PALINDROME;
        }
        if (has(words, "prime", "primes")) {
            return Op.PRIME;
        }
        if (has(words, "reverse", "reverses", "reversed", "backwards")) {
            return Op.REVERSE;
        }
        if (has(words, "duplicates", "duplicate", "unique", "dedupe", "distinct")) {
            return Op.UNIQUE;
        }
        if (has(words, "average", "mean")) {
            return Op.AVERAGE;
        }
        if (has(words, "sort", "sorts", "sorted", "sorting")) {
            return Op.SORT;
        }
        if (has(words, "even", "odd")) {
            return Op.EVEN;
        }
        if (has(words, "max", "maximum", "largest", "biggest", "highest")) {
            return Op.MAX;
        }
        if (has(words, "min", "minimum", "smallest", "lowest")) {
            return Op.MIN;
        }
        if (has(words, "count", "counts", "occurrences", "frequency", "occurs")) {
            return Op.COUNT;
        }
        if (has(words, "sum", "total", "add")) {
            return Op.SUM;
        }
        return Op.GENERIC;
    }

    private static boolean has(Set<String> words, String... any) {
        for (String a : any) {
            if (words.contains(a)) {
                return true;
            }
        }
        return false;
    }

    static String code(String language, Op op) {
        Map<Op, String> table = switch (language) {
            case "java" -> JAVA;
            case "javascript" -> JS;
            default -> PYTHON;
        };
        return table.getOrDefault(op, table.get(Op.GENERIC));
    }

    /** The first line of the function (a weak model's answer may stop right after it). */
    static String signature(String language, Op op) {
        String c = code(language, op);
        int nl = c.indexOf('\n');
        return nl < 0 ? c : c.substring(0, nl);
    }

    static String displayName(String language) {
        return switch (language) {
            case "java" -> "Java";
            case "javascript" -> "JavaScript";
            default -> "Python";
        };
    }

    /** A line a model stuck in a loop repeats. */
    static String loopLine(String language) {
        return switch (language) {
            case "java" -> "        result = result + value;\n";
            case "javascript" -> "    result = result + value;\n";
            default -> "        result = result + value\n";
        };
    }

    private static final Map<Op, String> PYTHON = Map.ofEntries(
            Map.entry(Op.REVERSE, """
                    def reverse_string(text):
                        \"""Return the characters of text in reverse order.\"""
                        return text[::-1]


                    print(reverse_string("hello"))
                    """),
            Map.entry(Op.SORT, """
                    def sort_numbers(numbers):
                        \"""Return a new list with the numbers in ascending order.\"""
                        result = list(numbers)
                        result.sort()
                        return result


                    print(sort_numbers([5, 2, 9, 1]))
                    """),
            Map.entry(Op.SUM, """
                    def sum_numbers(numbers):
                        \"""Add up all the numbers in the list.\"""
                        total = 0
                        for value in numbers:
                            total += value
                        return total


                    print(sum_numbers([1, 2, 3, 4]))
                    """),
            Map.entry(Op.MAX, """
                    def find_largest(numbers):
                        \"""Return the largest number, or None for an empty list.\"""
                        if not numbers:
                            return None
                        largest = numbers[0]
                        for value in numbers[1:]:
                            if value > largest:
                                largest = value
                        return largest


                    print(find_largest([3, 8, 1, 6]))
                    """),
            Map.entry(Op.MIN, """
                    def find_smallest(numbers):
                        \"""Return the smallest number, or None for an empty list.\"""
                        if not numbers:
                            return None
                        smallest = numbers[0]
                        for value in numbers[1:]:
                            if value < smallest:
                                smallest = value
                        return smallest


                    print(find_smallest([3, 8, 1, 6]))
                    """),
            Map.entry(Op.COUNT, """
                    def count_occurrences(items, target):
                        \"""Count how many times target appears in items.\"""
                        count = 0
                        for item in items:
                            if item == target:
                                count += 1
                        return count


                    print(count_occurrences(["a", "b", "a"], "a"))
                    """),
            Map.entry(Op.FIBONACCI, """
                    def fibonacci(n):
                        \"""Return the n-th Fibonacci number.\"""
                        a, b = 0, 1
                        for _ in range(n):
                            a, b = b, a + b
                        return a


                    print([fibonacci(i) for i in range(10)])
                    """),
            Map.entry(Op.FACTORIAL, """
                    def factorial(n):
                        \"""Return n! for a non-negative integer n.\"""
                        if n < 0:
                            raise ValueError("n must be non-negative")
                        result = 1
                        for i in range(2, n + 1):
                            result *= i
                        return result


                    print(factorial(5))
                    """),
            Map.entry(Op.PRIME, """
                    def is_prime(n):
                        \"""Return True when n is a prime number.\"""
                        if n < 2:
                            return False
                        i = 2
                        while i * i <= n:
                            if n % i == 0:
                                return False
                            i += 1
                        return True


                    print([n for n in range(20) if is_prime(n)])
                    """),
            Map.entry(Op.PALINDROME, """
                    def is_palindrome(text):
                        \"""Return True when text reads the same in both directions.\"""
                        cleaned = "".join(ch.lower() for ch in text if ch.isalnum())
                        return cleaned == cleaned[::-1]


                    print(is_palindrome("A man, a plan, a canal: Panama"))
                    """),
            Map.entry(Op.AVERAGE, """
                    def average(numbers):
                        \"""Return the mean of the numbers, or 0.0 for an empty list.\"""
                        if not numbers:
                            return 0.0
                        return sum(numbers) / len(numbers)


                    print(average([2, 4, 6]))
                    """),
            Map.entry(Op.EVEN, """
                    def even_numbers(numbers):
                        \"""Keep only the even numbers.\"""
                        return [n for n in numbers if n % 2 == 0]


                    print(even_numbers([1, 2, 3, 4, 5, 6]))
                    """),
            Map.entry(Op.UNIQUE, """
                    def remove_duplicates(items):
                        \"""Return the items without duplicates, keeping their first order.\"""
                        seen = set()
                        result = []
                        for item in items:
                            if item not in seen:
                                seen.add(item)
                                result.append(item)
                        return result


                    print(remove_duplicates([3, 1, 3, 2, 1]))
                    """),
            Map.entry(Op.GENERIC, """
                    def process_items(items):
                        \"""Clean the input and return the useful items.\"""
                        result = []
                        for item in items:
                            if item is None:
                                continue
                            result.append(item)
                        return result


                    print(process_items([1, None, 2]))
                    """));

    private static final Map<Op, String> JAVA = Map.ofEntries(
            Map.entry(Op.REVERSE, """
                    public static String reverse(String text) {
                        return new StringBuilder(text).reverse().toString();
                    }
                    """),
            Map.entry(Op.SORT, """
                    public static List<Integer> sortNumbers(List<Integer> numbers) {
                        List<Integer> result = new ArrayList<>(numbers);
                        Collections.sort(result);
                        return result;
                    }
                    """),
            Map.entry(Op.SUM, """
                    public static int sum(int[] numbers) {
                        int total = 0;
                        for (int value : numbers) {
                            total += value;
                        }
                        return total;
                    }
                    """),
            Map.entry(Op.MAX, """
                    public static int findLargest(int[] numbers) {
                        if (numbers.length == 0) {
                            throw new IllegalArgumentException("empty array");
                        }
                        int largest = numbers[0];
                        for (int value : numbers) {
                            if (value > largest) {
                                largest = value;
                            }
                        }
                        return largest;
                    }
                    """),
            Map.entry(Op.MIN, """
                    public static int findSmallest(int[] numbers) {
                        if (numbers.length == 0) {
                            throw new IllegalArgumentException("empty array");
                        }
                        int smallest = numbers[0];
                        for (int value : numbers) {
                            if (value < smallest) {
                                smallest = value;
                            }
                        }
                        return smallest;
                    }
                    """),
            Map.entry(Op.COUNT, """
                    public static int countOccurrences(List<String> items, String target) {
                        int count = 0;
                        for (String item : items) {
                            if (item.equals(target)) {
                                count++;
                            }
                        }
                        return count;
                    }
                    """),
            Map.entry(Op.FIBONACCI, """
                    public static long fibonacci(int n) {
                        long a = 0;
                        long b = 1;
                        for (int i = 0; i < n; i++) {
                            long next = a + b;
                            a = b;
                            b = next;
                        }
                        return a;
                    }
                    """),
            Map.entry(Op.FACTORIAL, """
                    public static long factorial(int n) {
                        if (n < 0) {
                            throw new IllegalArgumentException("n must be non-negative");
                        }
                        long result = 1;
                        for (int i = 2; i <= n; i++) {
                            result *= i;
                        }
                        return result;
                    }
                    """),
            Map.entry(Op.PRIME, """
                    public static boolean isPrime(int n) {
                        if (n < 2) {
                            return false;
                        }
                        for (int i = 2; (long) i * i <= n; i++) {
                            if (n % i == 0) {
                                return false;
                            }
                        }
                        return true;
                    }
                    """),
            Map.entry(Op.PALINDROME, """
                    public static boolean isPalindrome(String text) {
                        String cleaned = text.replaceAll("[^A-Za-z0-9]", "").toLowerCase();
                        return new StringBuilder(cleaned).reverse().toString().equals(cleaned);
                    }
                    """),
            Map.entry(Op.AVERAGE, """
                    public static double average(int[] numbers) {
                        if (numbers.length == 0) {
                            return 0.0;
                        }
                        long total = 0;
                        for (int value : numbers) {
                            total += value;
                        }
                        return (double) total / numbers.length;
                    }
                    """),
            Map.entry(Op.EVEN, """
                    public static List<Integer> evenNumbers(List<Integer> numbers) {
                        List<Integer> result = new ArrayList<>();
                        for (int n : numbers) {
                            if (n % 2 == 0) {
                                result.add(n);
                            }
                        }
                        return result;
                    }
                    """),
            Map.entry(Op.UNIQUE, """
                    public static <T> List<T> removeDuplicates(List<T> items) {
                        return new ArrayList<>(new LinkedHashSet<>(items));
                    }
                    """),
            Map.entry(Op.GENERIC, """
                    public static List<String> processItems(List<String> items) {
                        List<String> result = new ArrayList<>();
                        for (String item : items) {
                            if (item != null && !item.isBlank()) {
                                result.add(item.trim());
                            }
                        }
                        return result;
                    }
                    """));

    private static final Map<Op, String> JS = Map.ofEntries(
            Map.entry(Op.REVERSE, """
                    function reverseString(text) {
                      return text.split("").reverse().join("");
                    }
                    """),
            Map.entry(Op.SORT, """
                    function sortNumbers(numbers) {
                      return [...numbers].sort((a, b) => a - b);
                    }
                    """),
            Map.entry(Op.SUM, """
                    function sum(numbers) {
                      return numbers.reduce((total, value) => total + value, 0);
                    }
                    """),
            Map.entry(Op.MAX, """
                    function findLargest(numbers) {
                      return Math.max(...numbers);
                    }
                    """),
            Map.entry(Op.MIN, """
                    function findSmallest(numbers) {
                      return Math.min(...numbers);
                    }
                    """),
            Map.entry(Op.COUNT, """
                    function countOccurrences(items, target) {
                      return items.filter((item) => item === target).length;
                    }
                    """),
            Map.entry(Op.FIBONACCI, """
                    function fibonacci(n) {
                      let a = 0;
                      let b = 1;
                      for (let i = 0; i < n; i++) {
                        [a, b] = [b, a + b];
                      }
                      return a;
                    }
                    """),
            Map.entry(Op.FACTORIAL, """
                    function factorial(n) {
                      let result = 1;
                      for (let i = 2; i <= n; i++) {
                        result *= i;
                      }
                      return result;
                    }
                    """),
            Map.entry(Op.PRIME, """
                    function isPrime(n) {
                      if (n < 2) {
                        return false;
                      }
                      for (let i = 2; i * i <= n; i++) {
                        if (n % i === 0) {
                          return false;
                        }
                      }
                      return true;
                    }
                    """),
            Map.entry(Op.PALINDROME, """
                    function isPalindrome(text) {
                      const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, "");
                      return cleaned === cleaned.split("").reverse().join("");
                    }
                    """),
            Map.entry(Op.AVERAGE, """
                    function average(numbers) {
                      if (numbers.length === 0) {
                        return 0;
                      }
                      return numbers.reduce((total, value) => total + value, 0) / numbers.length;
                    }
                    """),
            Map.entry(Op.EVEN, """
                    function evenNumbers(numbers) {
                      return numbers.filter((n) => n % 2 === 0);
                    }
                    """),
            Map.entry(Op.UNIQUE, """
                    function removeDuplicates(items) {
                      return [...new Set(items)];
                    }
                    """),
            Map.entry(Op.GENERIC, """
                    function processItems(items) {
                      return items.filter((item) => item != null).map((item) => String(item).trim());
                    }
                    """));
}
