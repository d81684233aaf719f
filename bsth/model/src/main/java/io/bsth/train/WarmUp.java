package io.bsth.train;

import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Workers;
import io.bsth.tensor.kernels.Activation;
import io.bsth.tensor.kernels.Matmul;
import io.bsth.tensor.kernels.Softmax;

/**
 * Gets the stage-2 step's kernels compiled before the first real batch. A daemon thread, started before
 * the data is loaded, runs the kernels a step uses while the main thread loads the data and trains
 * stage 1: first the matrix products on short inner dimensions and the element-wise kernels on short
 * arrays (many calls of little work each, which is what C2 waits for), then stage-2 steps (forward in
 * train mode with dropout, the stage-2 loss, backward, Adam) of a network of the run's nbit, heads,
 * layers, concept width and dropout on {@link #ITEMS} random items of small input widths.
 *
 * <p>Why: the kernels are Vector API code, which runs interpreted or in C1 (every lane operation a
 * boxed call, about a thousand times slower than compiled) until C2 compiles the method, and C2
 * compiles a method only after hundreds of calls or tens of thousands of loop iterations in slow code.
 * Without it the first stage-2 epoch of a 16-bit run took nearly twice as long as the later ones
 * (docs/PERFORMANCE.md, "First stage-2 epoch").
 *
 * <p>It changes no result: the thread has its own network, parameters, optimiser, step buffers, arrays
 * and random generator (a fixed seed, nothing split from the run's), and runs its kernels on its own
 * one-thread {@link Workers} binding, so it neither draws from the run's generators nor takes the
 * run's pool; every kernel's result is independent of the thread that runs it and of when it was
 * compiled (the tests train with and without it and compare bits). It only costs CPU time: it stops
 * after {@link #MAX_STEPS} steps or after {@link #MAX_NANOS}, and {@link Trainer} asks it to stop
 * (without waiting) when stage 2 begins, so a step still running then counts in the first epoch.
 */
public final class WarmUp {
    /** Items per warm-up batch (8 items of 16 bits: 128 token rows, enough for the packed products). */
    static final int ITEMS = 8;
    /** Input widths of the warm-up network (the data's are not known before it is loaded). */
    static final int IMAGE_DIM = 64, TEXT_DIM = 64, CLASSES = 24;
    /** At most this many steps. */
    static final int MAX_STEPS = 24;
    /** Never longer than this, whatever the machine's load. */
    static final long MAX_NANOS = 30_000_000_000L;
    private static final long SEED = 0x5EED_0F_3A_4B_17L;

    private final TrainConfig cfg;
    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private WarmUp(TrainConfig cfg) {
        this.cfg = cfg;
        this.thread = Thread.ofPlatform().daemon().name("bsth-warm-up").unstarted(this::run);
    }

    /** Starts the warm-up thread for runs of {@code cfg} (nbit, heads, layers, concept width, dropout). */
    public static WarmUp start(TrainConfig cfg) {
        WarmUp w = new WarmUp(cfg);
        w.thread.start();
        return w;
    }

    /** Whether {@code -Dbsth.warmUp} (default true) lets the command line start one. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("bsth.warmUp", "true").trim());
    }

    /** Asks the thread to stop after its current step (or phase); does not wait. */
    public void stop() {
        stop = true;
    }

    /**
     * Asks the thread to stop after its current step and waits for it at most {@code capMillis}; a
     * step still running then ends on its own (the thread is a daemon). Returns the steps completed.
     */
    public int finish(long capMillis) {
        stop = true;
        try {
            thread.join(Math.max(1, capMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return steps;
    }

    /** Steps completed so far. */
    public int steps() {
        return steps;
    }

    /** Whether the thread still runs. */
    boolean running() {
        return thread.isAlive();
    }

    private void run() {
        try (Workers one = new Workers(1)) {
            one.run(this::loop);
        } catch (RuntimeException | OutOfMemoryError e) {
            // a warm-up that fails leaves the kernels as cold as without it; the run itself goes on
            stop = true;
        }
    }

    private void loop() {
        long t0 = System.nanoTime();
        int k = cfg.nbit(), items = ITEMS, imageDim = IMAGE_DIM, textDim = TEXT_DIM;
        ModelConfig mc = new ModelConfig(imageDim, textDim, CLASSES, k, cfg.nhead(), cfg.layers(), cfg.dropout(), cfg.conceptDim());
        Rng rng = new Rng(SEED);
        BsthNetwork net = new BsthNetwork(mc, rng);
        net.seedDropout(rng.split());
        net.train(true);
        Adam adam = new Adam(net.namedParameters(), cfg.lr());
        float[] image = new float[items * imageDim], text = new float[items * textDim];
        float[] labels = new float[items * CLASSES], target = new float[items * k];
        rng.fillNormal(image, 0, image.length, 0f, 1f);
        rng.fillNormal(text, 0, text.length, 0f, 1f);
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(4) == 0 ? 1f : 0f;
        for (int i = 0; i < target.length; i++) target[i] = rng.nextInt(2) == 0 ? -1f : 1f;
        products(rng);
        elementwise(rng);
        StepBuffers buffers = new StepBuffers();
        while (!stop && steps < MAX_STEPS && System.nanoTime() - t0 < MAX_NANOS) {
            try (var step = buffers.step()) {
                adam.zeroGrad();
                BsthNetwork.Output o = net.forward(Var.of(image, items, imageDim), Var.of(text, items, textDim));
                Losses.stage2(o.h(), o.pred(), Var.of(target, items, k), Var.of(labels, items, CLASSES), cfg.signWeight())
                        .total().backward();
                adam.step();
            }
            steps++;
        }
    }

    /**
     * Matrix products on short inner dimensions, so that the product kernels get the thousands of calls
     * that C2 waits for (with both branches of every accumulate and ragged edge) at a small cost while
     * they still run interpreted; a training step calls them with 128-384 steps of k per call.
     * Packed path (the 12 x 2L tile): plain, A transposed, B transposed, few rows (B read in place),
     * overwriting and accumulating C; unpacked paths (8 x 2L, 8 x 1L, 4 x 4 dot products): ragged rows
     * and columns, A transposed, B transposed.
     */
    private void products(Rng rng) {
        float[] a = new float[320 * 24], b = new float[24 * 1040], c = new float[320 * 1040];
        rng.fillNormal(a, 0, a.length, 0f, 1f);
        rng.fillNormal(b, 0, b.length, 0f, 1f);
        for (int r = 0; r < 4 && !stop; r++) {
            for (float beta : new float[] {0f, 1f}) {
                Matmul.sgemm(false, false, 300, 520, 16, 1f, a, 0, 16, b, 0, 520, beta, c, 0, 520);
                Matmul.sgemm(true, false, 300, 520, 16, 1f, a, 0, 300, b, 0, 520, beta, c, 0, 520);
                Matmul.sgemm(false, true, 300, 520, 16, 1f, a, 0, 16, b, 0, 16, beta, c, 0, 520);
                Matmul.sgemm(false, false, 100, 1040, 24, 1f, a, 0, 24, b, 0, 1040, beta, c, 0, 1040);
            }
        }
        for (int r = 0; r < 300 && !stop; r++) {
            float beta = r % 2;
            Matmul.sgemm(false, false, 13, 40, 20, 0.5f, a, 0, 20, b, 0, 40, beta, c, 0, 40);
            Matmul.sgemm(false, false, 13, 48, 20, 1f, a, 0, 20, b, 0, 48, beta, c, 0, 48);
            Matmul.sgemm(true, false, 13, 64, 20, 1f, a, 0, 13, b, 0, 64, beta, c, 0, 64);
            Matmul.sgemm(false, true, 13, 14, 20, 1f, a, 0, 20, b, 0, 20, beta, c, 0, 14);
            Matmul.sgemm(false, true, 16, 16, 32, 1f, a, 0, 32, b, 0, 32, beta, c, 0, 16);
        }
    }

    /**
     * The element-wise kernels of a step (GELU, tanh and sigmoid with their backward, dropout drawn and
     * redrawn, softmax over rows of k) on arrays of two 512-element blocks and a ragged tail, called
     * often enough for C2.
     */
    private void elementwise(Rng rng) {
        int n = 2 * 512 + 3, k = cfg.nbit();
        float p = cfg.dropout() > 0 ? cfg.dropout() : 0.5f;
        int m = Math.max(n, k);  // softmax rows of k
        float[] x = new float[m], y = new float[m], g = new float[m], dx = new float[m];
        rng.fillNormal(x, 0, m, 0f, 1f);
        rng.fillNormal(g, 0, m, 0f, 1f);
        int rows = Math.max(1, n / k);
        for (int r = 0; r < 600 && !stop; r++) {
            Activation.gelu(x, y, n);
            Activation.geluBackward(x, g, dx, n);
            Activation.tanh(x, y, n);
            Activation.tanhBackward(y, g, dx, n);
            Activation.sigmoid(x, y, n);
            Activation.sigmoidBackward(y, g, dx, n);
            Rng.dropoutBackward(rng.dropout(x, y, n, p), p, g, dx);
            Softmax.forward(x, y, rows, k);
            System.arraycopy(g, 0, dx, 0, m);
            Softmax.backwardInPlace(y, dx, rows, k);
        }
    }
}
