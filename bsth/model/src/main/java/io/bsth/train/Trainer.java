package io.bsth.train;

import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.data.MultiModalData;
import io.bsth.data.Split;
import io.bsth.model.BsthNetwork;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two-stage training of docs/ALGORITHM.md.
 *
 * <p>Stage 1 ({@link #stage1}): the label prototype network, full batch over the training labels, Adam,
 * {@code epochsPre} steps in train mode with dropout 0.5 (the authors' fixed value); then, in eval mode, the target codes B = sign(L P).
 *
 * <p>Stage 2 ({@link #stage2Epoch}): the hash network, mini-batches of {@code batch} shuffled training
 * items, Adam, the stage-2 loss against B.
 *
 * <p>Randomness: parameters are initialised from {@code Rng(seed)}; epoch e of stage 2 draws its shuffle
 * and its dropout masks from a generator that depends on (seed, e) alone. A run resumed from the
 * checkpoint of epoch e therefore repeats epochs e+1.. exactly as the uninterrupted run does.
 */
public final class Trainer {
    /** Called after each stage-2 epoch (after its checkpoint is written). */
    public interface EpochListener {
        void epochDone(int epoch, BsthNetwork net);
    }

    /**
     * The trained network, the target codes and the timings and loss history of the run; the stage-1
     * network too, or null when the run resumed from a checkpoint (which holds only its target codes).
     */
    public record Result(BsthNetwork net, float[] targetCodes, double stage1Seconds, List<Double> epochSeconds,
                         List<double[]> stage1Losses, List<double[]> stage2Losses, int resumedFromEpoch,
                         LabelPrototypeNet prototypeNet) {}

    /** Stage 1's outcome: the trained label prototype network (in eval mode) and B = sign(L P) (n, k). */
    public record Stage1(LabelPrototypeNet net, float[] targetCodes) {}

    private final TrainConfig cfg;
    private final Progress progress;
    private Path checkpointDir;
    private boolean resume;
    private EpochListener listener = (e, n) -> {};
    private WarmUp warmUp;

    public Trainer(TrainConfig cfg, Progress progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    /** Writes a checkpoint into {@code dir} after stage 1 and after every stage-2 epoch. */
    public Trainer checkpoint(Path dir, boolean resumeFromIt) {
        this.checkpointDir = dir;
        this.resume = resumeFromIt;
        return this;
    }

    public Trainer listener(EpochListener l) {
        this.listener = l;
        return this;
    }

    /**
     * A {@link WarmUp} started for this run (before the data was loaded): stage 2 tells it to stop when
     * its first epoch starts, without waiting for it, so whatever it still runs counts in that epoch's time.
     */
    public Trainer warmUp(WarmUp w) {
        this.warmUp = w;
        return this;
    }

    public ModelConfig modelConfig(MultiModalData data) {
        return modelConfig(data.train());
    }

    ModelConfig modelConfig(Split tr) {
        return new ModelConfig(tr.imageDim(), tr.textDim(), tr.classes(), cfg.nbit(), cfg.nhead(), cfg.layers(),
                cfg.dropout(), cfg.conceptDim());
    }

    public Result train(MultiModalData data) throws IOException {
        return train(data.train(), data.key());
    }

    /**
     * Trains on the training split alone: training never reads the database or the queries, so a caller
     * may drop them for the run ({@code dataKey}: {@link MultiModalData#key()} of the whole set, which
     * the checkpoints record).
     */
    public Result train(Split tr, String dataKey) throws IOException {
        int n = tr.size(), k = cfg.nbit();
        Rng root = new Rng(cfg.seed());
        Rng stage1Rng = root.split(), stage2Rng = root.split();
        BsthNetwork net = new BsthNetwork(modelConfig(tr), stage2Rng);
        Adam adam = new Adam(net.namedParameters(), cfg.lr());

        Checkpoint.State restored = null;
        if (resume) {
            restored = Checkpoint.load(checkpointDir, cfg, dataKey, net, adam);
            if (restored == null) progress.line("resume: no checkpoint in " + checkpointDir + ", starting from the beginning");
        }
        float[] B;
        LabelPrototypeNet protoNet = null;
        double stage1Seconds;
        List<Double> epochSeconds = new ArrayList<>();
        List<double[]> stage1Losses = new ArrayList<>(), stage2Losses = new ArrayList<>();
        int startEpoch = 0;
        if (restored != null) {
            B = restored.targetCodes();
            stage1Seconds = restored.stage1Seconds();
            epochSeconds.addAll(restored.epochSeconds());
            stage1Losses.addAll(restored.stage1Losses());
            stage2Losses.addAll(restored.stage2Losses());
            startEpoch = restored.epoch();
            progress.line(String.format(Locale.ROOT, "resume: %s holds stage 1 and %d of %d epochs; continuing",
                    checkpointDir, startEpoch, cfg.epochs()));
        } else {
            long t0 = System.nanoTime();
            Stage1 s1 = stage1(tr.labels(), stage1Rng, stage1Losses);
            B = s1.targetCodes();
            protoNet = s1.net();
            stage1Seconds = (System.nanoTime() - t0) * 1e-9;
            progress.line(String.format(Locale.ROOT, "stage 1: %d epochs in %.1fs, %d target codes of %d bits",
                    cfg.epochsPre(), stage1Seconds, n, k));
            if (checkpointDir != null) {
                Checkpoint.save(checkpointDir, cfg, dataKey, net, adam, B, 0, stage1Seconds, epochSeconds, stage1Losses, stage2Losses);
            }
        }
        long stageStart = System.nanoTime();
        int batches = Math.max(1, (n + cfg.batch() - 1) / cfg.batch());
        // arrays reused from one stage-2 step to the next (every batch has the same shapes but the
        // last); local, so that what they hold is garbage once training returns
        StepBuffers buffers = new StepBuffers();
        for (int e = startEpoch; e < cfg.epochs(); e++) {
            long t = System.nanoTime();
            if (warmUp != null) warmUp.stop();
            double[] mean = stage2Epoch(net, adam, tr, B, e, batches, stageStart, startEpoch, buffers);
            double sec = (System.nanoTime() - t) * 1e-9;
            epochSeconds.add(sec);
            stage2Losses.add(mean);
            double eta = sec * (cfg.epochs() - e - 1);
            progress.epoch("stage 2", e + 1, cfg.epochs(), Losses.STAGE2_NAMES, mean, sec, n / sec, eta);
            if (checkpointDir != null) {
                Checkpoint.save(checkpointDir, cfg, dataKey, net, adam, B, e + 1, stage1Seconds, epochSeconds, stage1Losses, stage2Losses);
            }
            listener.epochDone(e + 1, net);
        }
        net.eval();
        // the gradients are not part of the result: dropping them frees 4 bytes a parameter for what
        // follows (a caller encoding its database holds the network beside all the data)
        for (Var p : net.namedParameters().values()) p.clearGrad();
        return new Result(net, B, stage1Seconds, epochSeconds, stage1Losses, stage2Losses, startEpoch, protoNet);
    }

    /**
     * Stage 1: trains the prototypes on labels (n, C); B = sign(L P) (n, k) from eval mode. {@code train}
     * calls it with the first split of {@code new Rng(seed)}; each epoch's loss terms go to
     * {@code history}.
     */
    public Stage1 stage1(Tensor labels, Rng rng, List<double[]> history) {
        int n = labels.size(0), C = labels.size(1);
        LabelPrototypeNet proto = new LabelPrototypeNet(C, cfg.nbit(), TrainConfig.STAGE1_DROPOUT, rng);
        proto.seedDropout(rng.split());
        Adam adam = new Adam(proto.namedParameters(), cfg.lr());
        Var L = Var.of(labels.contiguous());
        proto.train(true);
        long t0 = System.nanoTime();
        StepBuffers buffers = new StepBuffers();
        for (int e = 0; e < cfg.epochsPre(); e++) {
            double[] v;
            try (var step = buffers.step()) {
                adam.zeroGrad();
                LabelPrototypeNet.Output o = proto.forward(L);
                Losses.Terms loss = Losses.stage1(o.prototypes(), o.code(), o.pred(), L);
                loss.total().backward();
                adam.step();
                v = loss.values();
            }
            history.add(v);
            double sec = (System.nanoTime() - t0) * 1e-9, perEpoch = sec / (e + 1);
            progress.batch("stage 1", e + 1, cfg.epochsPre(), 1, 1, Losses.STAGE1_NAMES, v, n / perEpoch,
                    perEpoch * (cfg.epochsPre() - e - 1));
            if ((e + 1) % 10 == 0 || e + 1 == cfg.epochsPre()) {
                progress.epoch("stage 1", e + 1, cfg.epochsPre(), Losses.STAGE1_NAMES, v, sec, n * (e + 1) / sec,
                        perEpoch * (cfg.epochsPre() - e - 1));
            }
        }
        proto.eval();
        try (var ng = Grad.noGrad()) {
            Var code = F.matmul(L, proto.prototypes());
            float[] b = code.data().clone();
            for (int i = 0; i < b.length; i++) b[i] = Math.signum(b[i]);
            return new Stage1(proto, b);
        }
    }

    /** The generator of stage-2 epoch {@code e}: a function of (seed, e) only. */
    static Rng epochRng(long seed, int e) {
        return new Rng(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (e + 1L));
    }

    /** One stage-2 epoch; returns the item-weighted mean of each loss term. */
    double[] stage2Epoch(BsthNetwork net, Adam adam, Split tr, float[] B, int e, int batches, long stageStart, int startEpoch,
                         StepBuffers buffers) {
        int n = tr.size(), k = cfg.nbit(), C = tr.classes();
        Rng rng = epochRng(cfg.seed(), e);
        int[] perm = rng.permutation(n);
        net.seedDropout(rng.split());
        net.train(true);
        double[] sum = new double[Losses.STAGE2_NAMES.length];
        int seen = 0;
        long t0 = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            int s = b * cfg.batch(), len = Math.min(cfg.batch(), n - s);
            if (len < 2) continue; // batch norm needs two items (PyTorch raises on one); the reference skips it too
            int[] idx = java.util.Arrays.copyOfRange(perm, s, s + len);
            Var image = Var.of(Split.gatherRows(tr.image(), idx));
            Var text = Var.of(Split.gatherRows(tr.text(), idx));
            Var labels = Var.of(Split.gatherRows(tr.labels(), idx));
            Var target = Var.of(gather(B, k, idx), len, k);
            double[] v;
            try (var step = buffers.step()) {
                adam.zeroGrad();
                BsthNetwork.Output o = net.forward(image, text);
                Losses.Terms loss = Losses.stage2(o.h(), o.pred(), target, labels, cfg.signWeight());
                loss.total().backward();
                adam.step();
                v = loss.values();
            }
            for (int i = 0; i < v.length; i++) sum[i] += v[i] * len;
            seen += len;
            double sec = (System.nanoTime() - t0) * 1e-9;
            double doneBatches = (double) (e - startEpoch) * batches + b + 1;
            double perBatch = (System.nanoTime() - stageStart) * 1e-9 / doneBatches;
            double left = (double) (cfg.epochs() - e) * batches - (b + 1);
            progress.batch("stage 2", e + 1, cfg.epochs(), b + 1, batches, Losses.STAGE2_NAMES, v, seen / sec, perBatch * left);
        }
        for (int i = 0; i < sum.length; i++) sum[i] /= Math.max(1, seen);
        return sum;
    }

    static float[] gather(float[] rows, int cols, int[] idx) {
        float[] out = new float[idx.length * cols];
        for (int r = 0; r < idx.length; r++) System.arraycopy(rows, idx[r] * cols, out, r * cols, cols);
        return out;
    }
}
