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
}
