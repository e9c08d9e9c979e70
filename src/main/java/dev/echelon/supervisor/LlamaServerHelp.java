package dev.echelon.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flags a llama-server build accepts, read from its {@code --help}. Used to choose the flag dialect and to
 * check that every flag Echelon builds exists in the installed server (llama-server exits on an unknown flag, and
 * flags do get renamed between versions: v0.5.0 removed {@code --draft-max}, {@code --mlock} and {@code --no-mmap}).
 */
public final class LlamaServerHelp {

    /** A help line starts with the flag column: "-m,    --model FNAME" or "--spec-draft-ngl, -ngld, ... N". */
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--?[a-zA-Z][\\w+-]*)");

    private static final int DESCRIPTION_COLUMN = 40;

    private final Set<String> flags;
    private final Set<String> removed;

    private LlamaServerHelp(Set<String> flags, Set<String> removed) {
        this.flags = Collections.unmodifiableSet(flags);
        this.removed = Collections.unmodifiableSet(removed);
    }

    public static LlamaServerHelp parse(String helpText) {
        Set<String> flags = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        for (String line : helpText.split("\n")) {
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0)) || line.charAt(0) != '-') {
                continue; // continuation lines describe; only lines that start with '-' declare flags
            }
            // --help aligns descriptions at column 40; a longer flag column puts its description on the next line.
            String column = line.length() > DESCRIPTION_COLUMN && line.charAt(DESCRIPTION_COLUMN - 1) == ' '
                    && line.charAt(DESCRIPTION_COLUMN) != ' ' ? line.substring(0, DESCRIPTION_COLUMN) : line;
            Set<String> here = new LinkedHashSet<>();
            Matcher m = FLAG.matcher(column);
            while (m.find()) {
                String f = m.group(1).replaceAll(",$", "");
                here.add(f);
            }
            if (line.contains("the argument has been removed")) {
                removed.addAll(here);
            } else {
                flags.addAll(here);
            }
        }
        return new LlamaServerHelp(flags, removed);
    }

    /** The recorded {@code --help} of llama.cpp v0.5.0, shipped with Echelon. */
    public static LlamaServerHelp recordedV050() {
        try (InputStream in = LlamaServerHelp.class.getResourceAsStream("/llama-server/help-v0.5.0.txt")) {
            if (in == null) {
                throw new IllegalStateException("llama-server/help-v0.5.0.txt missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * This help plus {@code extra} flags: the fake llama-server's own help lists its simulation knobs
     * ({@code --fake-acceptance}, {@code --fake-honour-spec-request}) beside the recorded v0.5.0 flags.
     */
    public LlamaServerHelp withFlags(String... extra) {
        Set<String> more = new LinkedHashSet<>(flags);
        more.addAll(java.util.List.of(extra));
        return new LlamaServerHelp(more, removed);
    }

    public boolean accepts(String flag) {
        return flags.contains(flag);
    }

    public boolean removed(String flag) {
        return removed.contains(flag);
    }

    public Set<String> flags() {
        return flags;
    }

    /** v0.5.0 and later name draft flags {@code --spec-draft-*}; older builds use {@code --draft-max}. */
    public FlagDialect dialect() {
        if (accepts("--spec-draft-n-max") && accepts("--spec-type")) {
            return FlagDialect.SPEC_V050;
        }
        return FlagDialect.LEGACY_DRAFT;
    }
}
