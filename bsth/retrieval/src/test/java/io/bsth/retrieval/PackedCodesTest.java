package io.bsth.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedCodesTest {
    static byte[] randomSigns(Random rnd, int n, int nbit) {
        byte[] s = new byte[n * nbit];
        for (int i = 0; i < s.length; i++) s[i] = (byte) (rnd.nextBoolean() ? 1 : -1);
        return s;
    }

    @Test
    void int8RoundTripAtAwkwardWidths() {
        Random rnd = new Random(1);
        for (int nbit : new int[] {1, 7, 16, 63, 64, 65, 100, 128, 129, 200}) {
            byte[] s = randomSigns(rnd, 13, nbit);
            PackedCodes c = PackedCodes.fromInt8(s, 13, nbit);
            assertEquals(PackedCodes.wordsFor(nbit), c.wordsPerCode());
            assertArrayEquals(s, c.toInt8(), "nbit " + nbit);
            float[] f = c.toFloat();
            for (int i = 0; i < s.length; i++) assertEquals(s[i], f[i]);
            assertEquals(c, PackedCodes.fromSigns(f, 13, nbit));
            long pad = PackedCodes.padMask(nbit);
            for (int i = 0; i < 13; i++) assertEquals(0, c.word(i, c.wordsPerCode() - 1) & pad, "padding stays clear");
        }
    }

    @Test
    void bitLayoutIsLittleEndianWithinWords() {
        byte[] s = new byte[70];
        java.util.Arrays.fill(s, (byte) -1);
        s[0] = 1;
        s[65] = 1;
        PackedCodes c = PackedCodes.fromInt8(s, 1, 70);
        assertEquals(1L, c.word(0, 0));
        assertEquals(2L, c.word(0, 1));
    }

    @Test
    void distanceMatchesSignDotProduct() {
        Random rnd = new Random(2);
        int nbit = 77;
        byte[] a = randomSigns(rnd, 5, nbit), b = randomSigns(rnd, 6, nbit);
        PackedCodes pa = PackedCodes.fromInt8(a, 5, nbit), pb = PackedCodes.fromInt8(b, 6, nbit);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 6; j++) {
                int dot = 0;
                for (int k = 0; k < nbit; k++) dot += a[i * nbit + k] * b[j * nbit + k];
                assertEquals((nbit - dot) / 2, pa.distance(i, pb, j));
            }
        }
    }

    @Test
    void signRuleIsStrictlyPositive() {
        float[] h = {0.5f, 0f, -0f, -0.1f, Float.MIN_VALUE, -3f};
        byte[] s = PackedCodes.fromSigns(h, 1, 6).toInt8();
        assertArrayEquals(new byte[] {1, -1, -1, -1, 1, -1}, s);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PackedCodes.fromSigns(new float[] {1f, Float.NaN}, 1, 2));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void rejectsBadInputWithOneClearLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PackedCodes.fromInt8(new byte[] {1, 0, -1, 1}, 2, 2));
        assertEquals("codes: row 0, bit 1 is 0, expected +1 or -1", e.getMessage());
        for (byte v : new byte[] {0, 2, -2, 3, 127, -128}) { // every wrong value, in the second word of the second row
            byte[] s = new byte[2 * 70];
            java.util.Arrays.fill(s, (byte) 1);
            s[70 + 66] = v;
            s[70 + 69] = 5;
            IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> PackedCodes.fromInt8(s, 2, 70));
            assertEquals("codes: row 1, bit 66 is " + v + ", expected +1 or -1", w.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> PackedCodes.fromInt8(new byte[5], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> PackedCodes.wrap(new long[] {1L << 40}, 1, 40));
        assertThrows(IllegalArgumentException.class, () -> PackedCodes.wordsFor(0));
    }

    @Test
    void planesTransposeWords() {
        Random rnd = new Random(3);
        PackedCodes c = PackedCodes.fromInt8(randomSigns(rnd, 9, 130), 9, 130);
        long[] planes = new long[3 * 4];
        c.copyPlanes(2, 4, planes);
        for (int w = 0; w < 3; w++) for (int i = 0; i < 4; i++) assertEquals(c.word(2 + i, w), planes[w * 4 + i]);
        PackedCodes s = c.slice(2, 6);
        assertEquals(4, s.size());
        assertEquals(c.word(3, 1), s.word(1, 1));
    }
}
