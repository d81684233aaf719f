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
 *
 * <p>Without the Vector API: when the incubator module {@code jdk.incubator.vector} is not resolved
 * (a class-path launch without {@code --add-modules jdk.incubator.vector}), {@link #ENABLED} is false,
 * the species fields are null, every kernel runs its scalar reference, and one warning (through
 * {@link System.Logger}, logger {@code io.bsth.tensor}) says how to enable SIMD. Loading this class
 * never loads a Vector API class in that case: the species are built in a nested class that is
 * initialised only when the module is present, and kernels keep their vector code in nested classes
 * reached only when {@link #ENABLED} is true.
 */
public final class Simd {
    /** True when {@code jdk.incubator.vector} is resolved in the boot layer. */
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /** True when the Vector API is available and not switched off by {@code bsth.simd=0}; otherwise kernels run their scalar references. */
    public static final boolean ENABLED;
    /** The float species; null unless {@link #AVAILABLE}. */
    public static final VectorSpecies<Float> FLOAT;
    /** The int species (same shape as {@link #FLOAT}); null unless {@link #AVAILABLE}. */
    public static final VectorSpecies<Integer> INT;
    /** The long species (same shape as {@link #FLOAT}); null unless {@link #AVAILABLE}. */
    public static final VectorSpecies<Long> LONG;

    static {
        String p = System.getProperty("bsth.simd", "").trim();
        int bits = switch (p) {
            case "" -> -1;
            case "0" -> 0;
            case "64", "128", "256", "512" -> Integer.parseInt(p);
            default -> throw new IllegalArgumentException("system property bsth.simd: expected 0, 64, 128, 256 or 512, got '" + p + "'");
        };
        ENABLED = AVAILABLE && bits != 0;
        if (AVAILABLE) {
            FLOAT = Species.floats(bits == 0 ? -1 : bits);
            INT = Species.ints(bits == 0 ? -1 : bits);
            LONG = Species.longs(bits == 0 ? -1 : bits);
        } else {
            FLOAT = null;
            INT = null;
            LONG = null;
        }
        if (!AVAILABLE) {
            System.getLogger("io.bsth.tensor").log(System.Logger.Level.WARNING,
                    "jdk.incubator.vector is not resolved: bsth kernels run their scalar (slower) paths; for SIMD add "
                            + "'--add-modules jdk.incubator.vector' to the java command, or put bsth-tensor on the module path");
        }
    }

    /** Float lanes per vector of the kernels (1 when they run scalar). */
    public static int floatLanes() {
        return ENABLED ? FLOAT.length() : 1;
    }

    /** One line for version output: the SIMD state and how to change it. */
    public static String describe() {
        if (ENABLED) return "SIMD " + FLOAT.vectorBitSize() + "-bit (" + FLOAT.length() + " float lanes)";
        if (AVAILABLE) return "SIMD off (bsth.simd=0): scalar kernels";
        return "SIMD off (jdk.incubator.vector not resolved; add --add-modules jdk.incubator.vector): scalar kernels";
    }

    /** Touches the Vector API: initialised only when the module is resolved. */
    private static final class Species {
        static VectorShape shape(int bits) {
            return bits < 0 ? VectorShape.preferredShape() : VectorShape.forBitSize(bits);
        }

        static VectorSpecies<Float> floats(int bits) {
            return FloatVector.SPECIES_PREFERRED.withShape(shape(bits));
        }

        static VectorSpecies<Integer> ints(int bits) {
            return IntVector.SPECIES_PREFERRED.withShape(shape(bits));
        }

        static VectorSpecies<Long> longs(int bits) {
            return LongVector.SPECIES_PREFERRED.withShape(shape(bits));
        }
    }

    private Simd() {}
}
