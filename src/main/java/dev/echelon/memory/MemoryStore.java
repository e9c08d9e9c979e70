package dev.echelon.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The source of truth for memories: SQLite in WAL mode with {@code synchronous=FULL}, so a write that returned is on
 * disk and survives a crash of the process or the machine. Vectors are stored beside their text (float32, little
 * endian), so the search index can always be rebuilt from here. Every change bumps a version counter in the same
 * transaction; an index snapshot records the version it reflects, and one that is behind is rebuilt.
 *
 * <p>Thread-safe: one connection, calls serialised (SQLite serialises writers anyway).
 */
public final class MemoryStore implements AutoCloseable {

    private final Connection db;
    private final int dims;

    /** Opens (creating if needed) the store at {@code file} for {@code dims}-dimensional vectors. */
    public MemoryStore(Path file, int dims) {
        this(file, dims, null, null);
    }

    /**
     * Opens the store for vectors of embedding space {@code space} ({@code dims} dimensions). A store written in
     * another space (another model, or the hashed fallback) is brought into this one by re-embedding every memory's
     * text with {@code reembed}, in one transaction: vectors from two spaces are never compared, and no memory is
     * lost when the model changes. With {@code reembed} null a different space or dimension is refused.
     */
    public MemoryStore(Path file, int dims, String space, Function<List<String>, List<float[]>> reembed) {
        this.dims = dims;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // the driver directly, not through DriverManager: DriverManager remembers drivers per class loader, and
            // Quarkus (and its tests) run more than one
            org.sqlite.SQLiteDataSource source = new org.sqlite.SQLiteDataSource();
            source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
            db = source.getConnection();
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS memories(
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          scope TEXT NOT NULL,
                          session TEXT,
                          role TEXT,
                          text TEXT NOT NULL,
                          vector BLOB NOT NULL,
                          created_ms INTEGER NOT NULL,
                          outcome TEXT,
                          usefulness REAL NOT NULL DEFAULT 0.5,
                          recall_key TEXT)""");
                s.execute("CREATE INDEX IF NOT EXISTS memories_scope ON memories(scope, created_ms)");
                s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS space(name TEXT NOT NULL)");
                s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('version', 0)");
                s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('dims', " + dims + ")");
            }
            if (!hasColumn("memories", "recall_key")) { // a store from before recall keys: text is the key
                try (Statement s = db.createStatement()) {
                    s.execute("ALTER TABLE memories ADD COLUMN recall_key TEXT");
                }
            }
            long storedDims = meta("dims");
            Optional<String> storedSpace = space();
            if (storedSpace.isEmpty() && space != null) {
                inTransaction(() -> {
                    setSpace(space);
                    return null;
                });
            }
            boolean otherSpace = space != null && storedSpace.isPresent() && !storedSpace.get().equals(space);
            if (storedDims != dims || otherSpace) {
                if (reembed == null) {
                    db.close();
                    throw new IllegalStateException(file + " holds " + storedDims + "-dimensional vectors"
                            + storedSpace.map(n -> " of " + n).orElse("") + ", not " + dims
                            + ": another embedding model wrote it");
                }
                reembedAll(space, reembed);
            }
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open the memory store " + file + ": " + e.getMessage(), e);
        }
    }

    /** The embedding space the vectors come from, when the store was opened with one. */
    public synchronized Optional<String> space() {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM space LIMIT 1")) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void setSpace(String name) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.executeUpdate("DELETE FROM space");
        }
        try (PreparedStatement p = db.prepareStatement("INSERT INTO space(name) VALUES (?)")) {
            p.setString(1, name);
            p.executeUpdate();
        }
    }

    private void reembedAll(String space, Function<List<String>, List<float[]>> reembed) {
        List<Long> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, COALESCE(recall_key, text) FROM memories")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
                texts.add(rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the memory store failed: " + e.getMessage(), e);
        }
        inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE memories SET vector = ? WHERE id = ?")) {
                for (int from = 0; from < ids.size(); from += 64) {
                    int to = Math.min(ids.size(), from + 64);
                    List<float[]> vectors = reembed.apply(texts.subList(from, to));
                    for (int i = from; i < to; i++) {
                        float[] v = vectors.get(i - from);
                        if (v.length != dims) {
                            throw new IllegalStateException("re-embedding gave " + v.length + " dimensions, not " + dims);
                        }
                        p.setBytes(1, toBytes(v));
                        p.setLong(2, ids.get(i));
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
            try (Statement s = db.createStatement()) {
                s.executeUpdate("UPDATE meta SET value = " + dims + " WHERE key = 'dims'");
            }
            if (space != null) {
                setSpace(space);
            }
            bumpVersion();
            return ids.size();
        });
    }

    public int dims() {
        return dims;
    }

    /** Stores a memory found by its own text; when this returns, it is durable. Returns its id. */
    public synchronized long add(String scope, String session, String role, String text, float[] vector,
            String outcome, Instant created) {
        return add(scope, session, role, text, null, vector, outcome, created);
    }

    /**
     * Stores a memory whose {@code vector} embeds {@code recallKey} (null: the text itself) — kept so that the memory
     * can be re-embedded the same way under another model. Durable when this returns; returns its id.
     */
    public synchronized long add(String scope, String session, String role, String text, String recallKey,
            float[] vector, String outcome, Instant created) {
        if (vector.length != dims) {
            throw new IllegalArgumentException("vector has " + vector.length + " dimensions, the store " + dims);
        }
        return inTransaction(() -> {
            long id;
            try (PreparedStatement p = db.prepareStatement("INSERT INTO memories(scope, session, role, text, vector, "
                    + "created_ms, outcome, recall_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, scope);
                p.setString(2, session);
                p.setString(3, role);
                p.setString(4, text);
                p.setBytes(5, toBytes(vector));
                p.setLong(6, created.toEpochMilli());
                p.setString(7, outcome);
                p.setString(8, recallKey == null || recallKey.equals(text) ? null : recallKey);
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            bumpVersion();
            return id;
        });
    }

    public synchronized Optional<Memory> get(long id) {
        return query("SELECT * FROM memories WHERE id = ?", p -> p.setLong(1, id)).stream().findFirst();
    }

    /** The memories with these ids that belong to {@code scope}, in no particular order. */
    public synchronized List<Memory> byIds(String scope, java.util.Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        return query("SELECT * FROM memories WHERE scope = ? AND id IN (" + marks + ")", p -> {
            p.setString(1, scope);
            int i = 2;
            for (long id : ids) {
                p.setLong(i++, id);
            }
        });
    }

    /** A scope's memories, newest first. */
    public synchronized List<Memory> list(String scope, int limit, int offset) {
        return query("SELECT * FROM memories WHERE scope = ? ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?", p -> {
            p.setString(1, scope);
            p.setInt(2, limit);
            p.setInt(3, offset);
        });
    }

    /** Deletes a memory of {@code scope}; false when there is none with that id in that scope. */
    public synchronized boolean delete(String scope, long id) {
        return inTransaction(() -> {
            int n;
            try (PreparedStatement p = db.prepareStatement("DELETE FROM memories WHERE id = ? AND scope = ?")) {
                p.setLong(1, id);
                p.setString(2, scope);
                n = p.executeUpdate();
            }
            if (n > 0) {
                bumpVersion();
            }
            return n > 0;
        });
    }

    /**
     * Usefulness feedback, temporal-difference style: Q ← Q + η(r − Q), r in [0, 1]. Returns the new value, empty when
     * the memory does not exist in that scope.
     */
    public synchronized Optional<Double> reward(String scope, long id, double r, double eta) {
        if (!(r >= 0 && r <= 1) || !(eta > 0 && eta <= 1)) {
            throw new IllegalArgumentException("reward must be in [0, 1] and the step in (0, 1]");
        }
        return inTransaction(() -> {
            try (PreparedStatement p = db.prepareStatement(
                    "UPDATE memories SET usefulness = usefulness + ? * (? - usefulness) WHERE id = ? AND scope = ?")) {
                p.setDouble(1, eta);
                p.setDouble(2, r);
                p.setLong(3, id);
                p.setString(4, scope);
                if (p.executeUpdate() == 0) {
                    return Optional.<Double>empty();
                }
            }
            try (PreparedStatement p = db.prepareStatement("SELECT usefulness FROM memories WHERE id = ?")) {
                p.setLong(1, id);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return Optional.of(rs.getDouble(1));
                }
            }
        });
    }

    /**
     * Retention: deletes memories older than {@code before} and, per scope, all but the newest {@code maxPerScope}.
     * Returns the ids deleted (for the index).
     */
    public synchronized List<Long> purge(Instant before, int maxPerScope) {
        return inTransaction(() -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("""
                    SELECT id FROM memories WHERE created_ms < ? OR id IN (
                      SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY scope
                                      ORDER BY created_ms DESC, id DESC) AS rank FROM memories) WHERE rank > ?)""")) {
                p.setLong(1, before.toEpochMilli());
                p.setInt(2, maxPerScope);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (!ids.isEmpty()) {
                try (PreparedStatement d = db.prepareStatement("DELETE FROM memories WHERE id = ?")) {
                    for (long id : ids) {
                        d.setLong(1, id);
                        d.addBatch();
                    }
                    d.executeBatch();
                }
                bumpVersion();
            }
            return ids;
        });
    }

    /** Every memory's id, scope and vector, in id order: what an index is rebuilt from. */
    public synchronized void forEachVector(Consumer<Memory> sink) {
        try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, scope, vector FROM memories ORDER BY id")) {
            while (rs.next()) {
                sink.accept(new Memory(rs.getLong(1), rs.getString(2), null, null, null, fromBytes(rs.getBytes(3)),
                        null, null, 0));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the memory store failed: " + e.getMessage(), e);
        }
    }

    /** Every memory's id and scope: what an index's scope filter is rebuilt from (no vectors read). */
    public synchronized void forEachScope(java.util.function.BiConsumer<Long, String> sink) {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id, scope FROM memories")) {
            while (rs.next()) {
                sink.accept(rs.getLong(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the memory store failed: " + e.getMessage(), e);
        }
    }

    /** One scope's ids and vectors: an exact search needs nothing else. */
    public synchronized void forEachVectorOf(String scope, Consumer<Memory> sink) {
        try (PreparedStatement p = db.prepareStatement("SELECT id, vector FROM memories WHERE scope = ?")) {
            p.setString(1, scope);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    sink.accept(new Memory(rs.getLong(1), scope, null, null, null, fromBytes(rs.getBytes(2)), null,
                            null, 0));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the memory store failed: " + e.getMessage(), e);
        }
    }

    /** How many memories {@code scope} holds. */
    public synchronized long count(String scope) {
        try (PreparedStatement p = db.prepareStatement("SELECT COUNT(*) FROM memories WHERE scope = ?")) {
            p.setString(1, scope);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Deletes every memory of {@code scope}; returns the ids deleted (for the index). */
    public synchronized List<Long> deleteAll(String scope) {
        return inTransaction(() -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement("SELECT id FROM memories WHERE scope = ?")) {
                p.setString(1, scope);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            if (!ids.isEmpty()) {
                try (PreparedStatement d = db.prepareStatement("DELETE FROM memories WHERE scope = ?")) {
                    d.setString(1, scope);
                    d.executeUpdate();
                }
                bumpVersion();
            }
            return ids;
        });
    }

    public synchronized long count() {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM memories")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Bumped by every change, in the change's own transaction: an index snapshot at another version is stale. */
    public synchronized long version() {
        return meta("version");
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement p) throws SQLException;
    }

    private <T> T inTransaction(SqlWork<T> work) {
        try {
            db.setAutoCommit(false);
            try {
                T out = work.run();
                db.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("memory store write failed: " + e.getMessage(), e);
        }
    }

    private List<Memory> query(String sql, Binder binder) {
        List<Memory> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(sql)) {
            binder.bind(p);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Memory(rs.getLong("id"), rs.getString("scope"), rs.getString("session"),
                            rs.getString("role"), rs.getString("text"), fromBytes(rs.getBytes("vector")),
                            Instant.ofEpochMilli(rs.getLong("created_ms")), rs.getString("outcome"),
                            rs.getDouble("usefulness")));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("memory store read failed: " + e.getMessage(), e);
        }
        return out;
    }

    private boolean hasColumn(String table, String column) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) {
                    return true;
                }
            }
            return false;
        }
    }

    private void bumpVersion() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.executeUpdate("UPDATE meta SET value = value + 1 WHERE key = 'version'");
        }
    }

    private long meta(String key) {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static byte[] toBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static float[] fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }
}
