package io.bsth.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place the SIMD width is chosen. {@code -Dbsth.simd=0} switches every kernel to its scalar
 * reference; {@code -Dbsth.simd=128|256|512} picks that vector size in bits; unset means the
 * platform's preferred size. Kernels read these {@code static final} fields (constant-folded by C2).
 */
public final class Simd {
    /** False when {@code bsth.simd=0}: kernels run their scalar references. */
    public static final boolean ENABLED;
    public static final VectorSpecies<Float> FLOAT;
    public static final VectorSpecies<Integer> INT;
    public static final VectorSpecies<Long> LONG;

    static {
        String p = System.getProperty("bsth.simd", "").trim();
        VectorShape shape = VectorShape.preferredShape();
        boolean enabled = true;
        switch (p) {
            case "" -> { }
            case "0" -> enabled = false;
            case "64" -> shape = VectorShape.S_64_BIT;
            case "128" -> shape = VectorShape.S_128_BIT;
            case "256" -> shape = VectorShape.S_256_BIT;
            case "512" -> shape = VectorShape.S_512_BIT;
            default -> throw new IllegalArgumentException("system property bsth.simd: expected 0, 64, 128, 256 or 512, got '" + p + "'");
        }
        ENABLED = enabled;
        FLOAT = FloatVector.SPECIES_PREFERRED.withShape(shape);
        INT = IntVector.SPECIES_PREFERRED.withShape(shape);
        LONG = LongVector.SPECIES_PREFERRED.withShape(shape);
    }

    private Simd() {}
}
