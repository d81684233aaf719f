package io.bsth.tensor.kernels;

import static org.junit.jupiter.api.Assertions.*;

import io.bsth.tensor.Simd;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The fixed-order lane sum at 4, 8 and 16 lanes (explicit species, whatever the machine's width)
 * against the scalar butterfly, bit for bit, on values where the order of the additions matters.
 */
class LaneSumTest {
    static void checkSpecies(VectorSpecies<Float> s) {
        LaneSum.Butterfly b = new LaneSum.Butterfly(s);
        int lanes = s.length();
        SplittableRandom r = new SplittableRandom(lanes);
        boolean orderMattered = false;
        for (int trial = 0; trial < 2000; trial++) {
            float[] x = new float[lanes];
            // magnitudes 2^-12 .. 2^12 with both signs: sums in different orders round differently
            for (int i = 0; i < lanes; i++) x[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(r.nextDouble(1, 2), r.nextInt(-12, 13)));
            float got = b.sum(FloatVector.fromArray(s, x, 0));
            assertEquals(Float.floatToIntBits(LaneSum.sumReference(x)), Float.floatToIntBits(got), lanes + " lanes, trial " + trial);
            float inOrder = 0f;
            for (float v : x) inOrder += v;
            if (inOrder != got) orderMattered = true;
        }
        assertTrue(orderMattered, "the data never told the butterfly from a left-to-right sum at " + lanes + " lanes");
    }

    @Test
    void butterflyAt4Lanes() {
        checkSpecies(FloatVector.SPECIES_128);
    }

    @Test
    void butterflyAt8Lanes() {
        checkSpecies(FloatVector.SPECIES_256);
    }

    @Test
    void butterflyAt16Lanes() {
        checkSpecies(FloatVector.SPECIES_512);
    }

    @Test
    void theKernelsWidthUsesTheSameOrder() {
        int lanes = Simd.FLOAT.length();
        float[] x = new float[lanes];
        for (int i = 0; i < lanes; i++) x[i] = (i % 2 == 0 ? 1e7f : -1e7f) + i * 0.37f;
        assertEquals(LaneSum.sumReference(x), LaneSum.sum(FloatVector.fromArray(Simd.FLOAT, x, 0)));
    }
}
