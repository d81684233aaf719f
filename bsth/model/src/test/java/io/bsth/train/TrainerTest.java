package io.bsth.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.autograd.Var;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.model.CodeEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final String DATA = "synthetic:train=96,db=160,query=24,image=16,text=96,classes=6,scenes=3,seed=5";

    @TempDir
    Path tmp;

    static TrainConfig config(int epochs) {
        return new TrainConfig(8, epochs, 15, 40, 1e-3f, 7, 1, 2, 0.5f, 0.01f);
    }

    /** Stops the run after {@code epoch} epochs, as a kill after that epoch's checkpoint would. */
    static final class Killed extends RuntimeException {}

    @Test
    void resumeAfterAKillEndsExactlyAsTheUninterruptedRun() throws Exception {
        MultiModalData d = DataSources.open(DATA);
        Trainer.Result full = new Trainer(config(3), Progress.quiet()).train(d);

        Path dir = tmp.resolve("ckpt");
        assertThrows(Killed.class, () -> new Trainer(config(3), Progress.quiet()).checkpoint(dir, false)
                .listener((e, net) -> { if (e == 2) throw new Killed(); }).train(d));
        assertTrue(Files.isRegularFile(dir.resolve(Checkpoint.FILE)));
        Trainer.Result resumed = new Trainer(config(3), Progress.quiet()).checkpoint(dir, true).train(d);

        assertEquals(2, resumed.resumedFromEpoch());
        assertEquals(3, resumed.epochSeconds().size());
        // Equal up to float rounding: HotSpot's interpreted and compiled code (Math intrinsics, vector
        // reductions) round differently, so even two uninterrupted runs in one JVM differ in the last bits.
        assertArrayEquals(full.targetCodes(), resumed.targetCodes());
        for (int e = 0; e < 3; e++) assertArrayEquals(full.stage2Losses().get(e), resumed.stage2Losses().get(e), 1e-5, "epoch " + e);
        var a = full.net().stateDict();
        var b = resumed.net().stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), 2e-4f, k);
        float[] ha = CodeEncoder.encode(full.net(), d.query().image(), d.query().text(), 64);
        float[] hb = CodeEncoder.encode(resumed.net(), d.query().image(), d.query().text(), 64);
        assertArrayEquals(ha, hb, 1e-3f);
        // A resumed run that was not interrupted at all: the same data, settings and history.
        Trainer.Result again = new Trainer(config(3), Progress.quiet()).checkpoint(dir, true).train(d);
        assertEquals(3, again.resumedFromEpoch());
        assertEquals(resumed.epochSeconds(), again.epochSeconds());
    }

    @Test
    void resumeRejectsACheckpointOfOtherSettings() throws Exception {
        MultiModalData d = DataSources.open(DATA);
        Path dir = tmp.resolve("ckpt");
        new Trainer(config(1), Progress.quiet()).checkpoint(dir, false).train(d);
        TrainConfig other = new TrainConfig(16, 1, 15, 40, 1e-3f, 7, 1, 2, 0.5f, 0.01f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(other, Progress.quiet()).checkpoint(dir, true).train(d));
        assertTrue(e.getMessage().contains("nbit"), e.getMessage());
    }

    @Test
    void trainingLowersTheLossAndTargetCodesAreSigns() throws Exception {
        MultiModalData d = DataSources.open(DATA);
        Trainer.Result r = new Trainer(config(6), Progress.quiet()).train(d);
        assertEquals(15, r.stage1Losses().size());
        assertTrue(r.stage1Losses().get(14)[0] < r.stage1Losses().get(0)[0], "stage-1 loss falls");
        assertTrue(r.stage2Losses().get(5)[0] < r.stage2Losses().get(0)[0], "stage-2 loss falls");
        for (float b : r.targetCodes()) assertTrue(b == 1f || b == -1f || b == 0f);
        assertEquals(d.train().size() * 8, r.targetCodes().length);
    }

    @Test
    void stageOneTargetsFollowTheFormulas() {
        float[] L = {1, 0, 1, 1, 1, 0, 0, 0, 1};
        Var labels = Var.of(L, 3, 3);
        float[] A = Losses.cooccurrence(labels);
        // L^T L = [[2,1,1],[1,1,0],[1,0,2]], diagonal set to n = 3, divided by n.
        assertArrayEquals(new float[] {1, 1 / 3f, 1 / 3f, 1 / 3f, 1, 0, 1 / 3f, 0, 1}, A, 1e-6f);
        float[] S = Losses.similarity(labels);
        double s1 = 2 / (1 + Math.exp(-1)) - 1, s2 = 2 / (1 + Math.exp(-2)) - 1;
        // L L^T = [[2,1,1],[1,2,0],[1,0,1]]
        assertArrayEquals(new float[] {(float) s2, (float) s1, (float) s1, (float) s1, (float) s2, 0, (float) s1, 0, (float) s1}, S, 1e-6f);
    }

    @Test
    void stageOneAlwaysUsesTheAuthorsDropout() throws Exception {
        MultiModalData d = DataSources.open(DATA);
        float[] dropouts = {0f, 0.3f, 0.5f};
        double[][] losses = new double[3][];
        for (int i = 0; i < 3; i++) {
            TrainConfig c = new TrainConfig(8, 1, 15, 40, 1e-3f, 7, 1, 2, dropouts[i], 0.01f);
            java.util.List<double[]> history = new java.util.ArrayList<>();
            new Trainer(c, Progress.quiet()).stage1(d.train().labels(), new io.bsth.tensor.Rng(3), history);
            losses[i] = history.stream().mapToDouble(v -> v[0]).toArray();
        }
        // with dropout in play every step's loss depends on the rate: equal histories mean one rate, 0.5
        assertArrayEquals(losses[2], losses[0], "stage 1 does not read --dropout");
        assertArrayEquals(losses[2], losses[1], "stage 1 does not read --dropout");
    }

    /**
     * Training learns: on a small synthetic set, mAP@All of the trained codes stands well above an
     * unsupervised floor computed here from the same features: the best of five sign-random-projection
     * (LSH) codes of the standardised [image, text] vectors at the same code length. Both are measured as
     * gains over chance (the mean fraction of the database relevant to a query, which any codes reach).
     */
    @Test
    void trainedCodesBeatRandomProjectionsOfTheSameFeatures() throws Exception {
        MultiModalData d = DataSources.open("synthetic:train=300,db=600,query=80,image=32,text=80,classes=20,scenes=12,seed=9");
        int nbit = 16;
        TrainConfig c = new TrainConfig(nbit, 15, 60, 64, 2e-3f, 11, 1, 1, 0.1f, 0.01f, 32);
        Trainer.Result r = new Trainer(c, Progress.quiet()).train(d);
        io.bsth.retrieval.Evaluation.Result trained = EncodeEvaluate.run(r.net(), d, 256).metrics();
        double chance = trained.precisionAt(1000); // a depth past the database: relevant / N, averaged
        double floor = 0;
        for (long seed = 1; seed <= 5; seed++) floor = Math.max(floor, lshMap(d, nbit, seed));
        String msg = String.format(java.util.Locale.ROOT, "trained mAP@All %.4f, best random projection %.4f, chance %.4f",
                trained.mapAll(), floor, chance);
        System.out.println(msg);
        assertTrue(floor > chance, msg);
        assertTrue(trained.mapAll() - chance > 2.5 * (floor - chance), msg);
        assertTrue(trained.mapAll() > floor + 0.04, msg);
    }

    /**
     * The warm-up changes no bit: a run with a warm-up attached (running through stage 1, stopped when
     * stage 2 begins) and a run with one left running beside it all along give the target codes, the
     * losses of every epoch and the parameters of a run without any, bit for bit.
     */
    @Test
    void aWarmUpChangesNoBitOfTheTrainedModel() throws Exception {
        MultiModalData d = DataSources.open(DATA);
        TrainConfig c = config(2);
        Trainer.Result plain = new Trainer(c, Progress.quiet()).train(d);
        WarmUp attached = WarmUp.start(c);
        Trainer.Result warmed = new Trainer(c, Progress.quiet()).warmUp(attached).train(d);
        attached.finish(120_000);
        WarmUp beside = WarmUp.start(c);
        Trainer.Result besides = new Trainer(c, Progress.quiet()).train(d);
        beside.finish(120_000);
        for (Trainer.Result r : new Trainer.Result[] {warmed, besides}) {
            assertArrayEquals(plain.targetCodes(), r.targetCodes());
            for (int e = 0; e < 2; e++) assertArrayEquals(plain.stage2Losses().get(e), r.stage2Losses().get(e), "epoch " + e);
            var a = plain.net().stateDict();
            var b = r.net().stateDict();
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
        }
    }

    /** The warm-up runs its steps and ends by itself (after MAX_STEPS), and finish returns once it has. */
    @Test
    void aWarmUpRunsItsStepsAndEnds() throws Exception {
        WarmUp w = WarmUp.start(config(1));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (w.running() && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(WarmUp.MAX_STEPS, w.steps());
        assertEquals(WarmUp.MAX_STEPS, w.finish(1));
        assertTrue(!w.running());
    }

    /** mAP@All of sign(W [x_image, x_text]) codes, W Gaussian (nbit, d), features standardised on the database. */
    static double lshMap(MultiModalData d, int nbit, long seed) {
        int di = d.imageDim(), dt = d.textDim(), dim = di + dt;
        float[][] mean = new float[1][dim], sd = new float[1][dim];
        io.bsth.data.Split db = d.database();
        double[] m = new double[dim], s2 = new double[dim];
        for (int i = 0; i < db.size(); i++) {
            float[] x = concat(db, i);
            for (int j = 0; j < dim; j++) {
                m[j] += x[j];
                s2[j] += (double) x[j] * x[j];
            }
        }
        for (int j = 0; j < dim; j++) {
            m[j] /= db.size();
            mean[0][j] = (float) m[j];
            sd[0][j] = (float) Math.sqrt(Math.max(1e-12, s2[j] / db.size() - m[j] * m[j]));
        }
        java.util.Random rnd = new java.util.Random(seed);
        float[] w = new float[nbit * dim];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        io.bsth.retrieval.PackedCodes q = lsh(d.query(), w, nbit, mean[0], sd[0]), dbc = lsh(db, w, nbit, mean[0], sd[0]);
        return io.bsth.retrieval.Evaluation.evaluate(q, dbc, d.query().labels().contiguous().data(),
                db.labels().contiguous().data(), d.classes()).mapAll();
    }

    static io.bsth.retrieval.PackedCodes lsh(io.bsth.data.Split s, float[] w, int nbit, float[] mean, float[] sd) {
        int dim = mean.length;
        float[] h = new float[s.size() * nbit];
        for (int i = 0; i < s.size(); i++) {
            float[] x = concat(s, i);
            for (int b = 0; b < nbit; b++) {
                double acc = 0;
                for (int j = 0; j < dim; j++) acc += w[b * dim + j] * (x[j] - mean[j]) / sd[j];
                h[i * nbit + b] = (float) acc;
            }
        }
        return io.bsth.retrieval.PackedCodes.fromSigns(h, s.size(), nbit);
    }

    static float[] concat(io.bsth.data.Split s, int row) {
        int di = s.imageDim(), dt = s.textDim();
        float[] x = new float[di + dt];
        io.bsth.tensor.Tensor im = s.image().contiguous(), tx = s.text().contiguous();
        System.arraycopy(im.data(), im.offset() + row * di, x, 0, di);
        System.arraycopy(tx.data(), tx.offset() + row * dt, x, di, dt);
        return x;
    }
}
