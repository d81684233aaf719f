package io.bsth.autograd;

/**
 * Gradient recording switch (per thread). Inside {@code try (var g = Grad.noGrad()) {...}} ops record
 * nothing and build no graph, as {@code torch.no_grad()}; scopes nest.
 */
public final class Grad {
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);

    private Grad() {}

    /** A scope without gradient recording. */
    public static Scope noGrad() {
        DISABLED.get()[0]++;
        return new Scope();
    }

    public static boolean isEnabled() {
        return DISABLED.get()[0] == 0;
    }

    /** Closing ends the no-grad scope. */
    public static final class Scope implements AutoCloseable {
        private boolean open = true;

        private Scope() {}

        @Override
        public void close() {
            if (open) {
                open = false;
                DISABLED.get()[0]--;
            }
        }
    }
}
