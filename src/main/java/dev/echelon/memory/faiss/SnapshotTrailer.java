package dev.echelon.memory.faiss;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The fixed-size record appended after faiss's own bytes in an index snapshot. faiss reads only what it wrote, so the
 * trailer costs nothing on load, and keeping it in the same file means one atomic rename publishes index and
 * metadata together (a sidecar could be left out of step by a crash between two renames).
 *
 * @param hnsw          which kind was saved
 * @param dims          vector dimensions
 * @param storeVersion  the {@code MemoryStore} version the index reflects
 * @param live          vectors that are not tombstones
 * @param rows          rows in the index, tombstones included
 * @param payloadLength bytes of faiss data before the trailer (a truncated file fails this)
 * @param crc           CRC32C of those bytes (a corrupted one fails this, before faiss parses it)
 */
record SnapshotTrailer(boolean hnsw, int dims, long storeVersion, long live, long rows, long payloadLength, long crc) {

    static final int SIZE = 64;
    private static final long MAGIC = 0x4543485346535431L; // "ECHSFST1"
    private static final int FORMAT = 1;

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putLong(MAGIC).putInt(FORMAT).putInt(hnsw ? 1 : 0).putInt(dims).putInt(0)
                .putLong(storeVersion).putLong(live).putLong(rows).putLong(payloadLength).putLong(crc);
        return b.flip();
    }

    /** Empty when the bytes are not a trailer this code wrote. */
    static Optional<SnapshotTrailer> decode(ByteBuffer b) {
        if (b.remaining() != SIZE || b.getLong() != MAGIC || b.getInt() != FORMAT) {
            return Optional.empty();
        }
        int kind = b.getInt();
        int dims = b.getInt();
        b.getInt();
        if (kind > 1 || dims < 1) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotTrailer(kind == 1, dims, b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                b.getLong()));
    }
}
