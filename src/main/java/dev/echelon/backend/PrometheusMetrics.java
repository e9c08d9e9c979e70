package dev.echelon.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * A parsed Prometheus text exposition (version 0.0.4), as served by llama-server's {@code /metrics}: {@code # HELP} /
 * {@code # TYPE} lines, samples {@code name{label="v",...} value [timestamp]}; values may be {@code NaN},
 * {@code +Inf}, {@code -Inf}. Immutable.
 */
public final class PrometheusMetrics {

    /** One sample line. {@code labels} is sorted by label name. */
    public record Sample(String name, Map<String, String> labels, double value, Long timestampMs) {

        public Sample {
            labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        }

        /** {@code name} or {@code name{a="x",b="y"}} (labels sorted, values escaped). */
        public String key() {
            return PrometheusMetrics.key(name, labels);
        }
    }

    private final List<Sample> samples;
    private final Map<String, String> help;
    private final Map<String, String> types;
    private final Map<String, Double> all;

    private PrometheusMetrics(List<Sample> samples, Map<String, String> help, Map<String, String> types) {
        this.samples = List.copyOf(samples);
        this.help = Collections.unmodifiableMap(help);
        this.types = Collections.unmodifiableMap(types);
        Map<String, Double> m = new LinkedHashMap<>();
        for (Sample s : samples) {
            m.put(s.key(), s.value());
        }
        this.all = Collections.unmodifiableMap(m);
    }

    /**
     * Parses the text format.
     *
     * @throws IllegalArgumentException on a malformed sample line (message names the line number)
     */
    public static PrometheusMetrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String rest = line.substring(1).strip();
                if (rest.startsWith("HELP ") || rest.startsWith("TYPE ")) {
                    String body = rest.substring(5).strip();
                    int sp = body.indexOf(' ');
                    String name = sp < 0 ? body : body.substring(0, sp);
                    String val = sp < 0 ? "" : body.substring(sp + 1).strip();
                    if (rest.startsWith("HELP ")) {
                        help.put(name, unescape(val));
                    } else {
                        types.put(name, val);
                    }
                }
                continue;
            }
            try {
                samples.add(parseSample(line));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("metrics line " + (i + 1) + " is malformed: " + line + " ("
                        + e.getMessage() + ")", e);
            }
        }
        return new PrometheusMetrics(samples, help, types);
    }

    private static Sample parseSample(String line) {
        int pos = 0;
        int n = line.length();
        while (pos < n && line.charAt(pos) != '{' && !Character.isWhitespace(line.charAt(pos))) {
            pos++;
        }
        String name = line.substring(0, pos);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("missing metric name");
        }
        Map<String, String> labels = new TreeMap<>();
        if (pos < n && line.charAt(pos) == '{') {
            pos++;
            while (true) {
                pos = skipWs(line, pos);
                if (pos >= n) {
                    throw new IllegalArgumentException("unterminated label set");
                }
                if (line.charAt(pos) == '}') {
                    pos++;
                    break;
                }
                int eq = line.indexOf('=', pos);
                if (eq < 0) {
                    throw new IllegalArgumentException("label without '='");
                }
                String labelName = line.substring(pos, eq).strip();
                pos = skipWs(line, eq + 1);
                if (pos >= n || line.charAt(pos) != '"') {
                    throw new IllegalArgumentException("label value must be quoted");
                }
                pos++;
                StringBuilder v = new StringBuilder();
                boolean closed = false;
                while (pos < n) {
                    char c = line.charAt(pos++);
                    if (c == '\\' && pos < n) {
                        char e = line.charAt(pos++);
                        v.append(e == 'n' ? '\n' : e);
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated label value");
                }
                labels.put(labelName, v.toString());
                pos = skipWs(line, pos);
                if (pos < n && line.charAt(pos) == ',') {
                    pos++;
                }
            }
        }
        String[] rest = line.substring(pos).strip().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            throw new IllegalArgumentException("missing value");
        }
        double value = parseValue(rest[0]);
        Long ts = rest.length > 1 ? Long.valueOf(rest[1]) : null;
        return new Sample(name, labels, value, ts);
    }

    private static int skipWs(String s, int pos) {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    static double parseValue(String v) {
        switch (v) {
            case "NaN":
            case "nan":
                return Double.NaN;
            case "+Inf":
            case "Inf":
            case "+inf":
            case "inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.parseDouble(v);
        }
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                b.append(e == 'n' ? '\n' : e);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(e.getKey()).append("=\"")
                    .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        }
        return b.append('}').toString();
    }

    /** Value of the unlabelled sample {@code name} (or the only sample of that name). */
    public OptionalDouble find(String name) {
        Sample only = null;
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                if (s.labels().isEmpty()) {
                    return OptionalDouble.of(s.value());
                }
                if (only != null) {
                    return OptionalDouble.empty();
                }
                only = s;
            }
        }
        return only == null ? OptionalDouble.empty() : OptionalDouble.of(only.value());
    }

    /** Value of the sample {@code name} with exactly these labels. */
    public OptionalDouble find(String name, Map<String, String> labels) {
        Double v = all.get(key(name, new TreeMap<>(labels)));
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * Like {@link #find(String)} but required.
     *
     * @throws NoSuchElementException if absent
     */
    public double value(String name) {
        OptionalDouble v = find(name);
        if (v.isEmpty()) {
            throw new NoSuchElementException("no metric " + name);
        }
        return v.getAsDouble();
    }

    /** {@link #find(String)} or {@code defaultValue}. */
    public double valueOr(String name, double defaultValue) {
        return find(name).orElse(defaultValue);
    }

    /** Sum over all samples of {@code name}, any labels (0 if none). */
    public double sum(String name) {
        double s = 0;
        for (Sample x : samples) {
            if (x.name().equals(name)) {
                s += x.value();
            }
        }
        return s;
    }

    /** Whether any sample named {@code name} exists. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /** All samples of {@code name}. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** All samples in file order. */
    public List<Sample> samples() {
        return samples;
    }

    /** {@link Sample#key()} → value, in file order. */
    public Map<String, Double> all() {
        return all;
    }

    public Optional<String> help(String name) {
        return Optional.ofNullable(help.get(name));
    }

    /** {@code counter}, {@code gauge}, ... */
    public Optional<String> type(String name) {
        return Optional.ofNullable(types.get(name));
    }

    @Override
    public String toString() {
        return "PrometheusMetrics" + all;
    }
}
