package dev.echelon.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte counts in environment variables use the registry's units. */
class ByteSizeTest {

    @Test
    void unitsAreDecimalOrBinary() {
        assertEquals(24L << 30, ByteSize.parse("x", "24GiB"));
        assertEquals(24_000_000_000L, ByteSize.parse("x", "24GB"));
        assertEquals(1_500_000_000L, ByteSize.parse("x", "1.5 G"));
        assertEquals(8_000_000_000L, ByteSize.parse("x", "8000000000"));
        assertEquals(512L << 20, ByteSize.parse("x", " 512mi "));
    }

    @Test
    void anythingElseNamesTheSettingAndItsVariable() {
        for (String bad : new String[] {"", "-1GB", "0", "lots", "12 parsecs"}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> ByteSize.parse("orchestrator.residency.gpu-bytes", bad));
            assertTrue(e.getMessage().startsWith("orchestrator.residency.gpu-bytes (ORCHESTRATOR_RESIDENCY_GPU_BYTES): "
                    + "must be a positive byte count"), e.getMessage());
        }
    }
}
