import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.data.Split;
import io.bsth.model.BsthNetwork;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Rng;
import io.bsth.tensor.io.Npy;
import io.bsth.train.Losses;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Java half of tools/parity_run.py: trains stage 2 from weights and batches the PyTorch side then replays.
 * Writes into OUT: the data (nine .npy), B.npy (target codes from a Java stage 1, dropout 0), init.safetensors
 * (the stage-2 network before training), perms.npy (epochs x n, the batch order), java_losses.npy (one row per
 * step: loss, label, sign, sim), final.safetensors (the network after training, batch-norm running statistics included)
 * and java_stage1.npy (the stage-1 loss terms per epoch).
 *
 *   java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/ParityRun.java OUT DATA NBIT EPOCHS BATCH DROPOUT [DROPOUT_SEED]
 */
public class ParityRun {
    public static void main(String[] a) throws Exception {
        Path out = Path.of(a[0]);
        MultiModalData d = DataSources.open(a[1]);
        int nbit = Integer.parseInt(a[2]), epochs = Integer.parseInt(a[3]), batch = Integer.parseInt(a[4]);
        float dropout = Float.parseFloat(a[5]);
        long dropoutSeed = a.length > 6 ? Long.parseLong(a[6]) : 0;
        Files.createDirectories(out);
        d.writeNpy(out);
        Split tr = d.train();
        int n = tr.size(), C = tr.classes();
        Rng rng = new Rng(7);
        // stage 1, dropout 0, 100 epochs; its loss terms per epoch are written for the PyTorch side to compare
        LabelPrototypeNet proto = new LabelPrototypeNet(C, nbit, 0f, rng.split());
        proto.save(out.resolve("proto_init.safetensors"), new java.util.LinkedHashMap<>());
        Adam pa = new Adam(proto.namedParameters(), 1e-3);
        Var L = Var.of(tr.labels().contiguous());
        proto.train(true);
        float[] s1 = new float[100 * 5];
        for (int e = 0; e < 100; e++) {
            pa.zeroGrad();
            LabelPrototypeNet.Output o = proto.forward(L);
            Losses.Terms t = Losses.stage1(o.prototypes(), o.code(), o.pred(), L);
            t.total().backward();
            pa.step();
            double[] v = t.values();
            for (int i = 0; i < 5; i++) s1[e * 5 + i] = (float) v[i];
        }
        Npy.writeFloats(out.resolve("java_stage1.npy"), s1, 100, 5);
        proto.eval();
        float[] B;
        try (var ng = Grad.noGrad()) {
            B = F.matmul(L, proto.prototypes()).data().clone();
        }
        int zeros = 0;
        for (int i = 0; i < B.length; i++) { B[i] = Math.signum(B[i]); if (B[i] == 0) zeros++; }
        System.out.println("stage 1: " + zeros + " zero entries in B");
        Npy.writeFloats(out.resolve("B.npy"), B, n, nbit);
        // stage 2
        BsthNetwork net = new BsthNetwork(new ModelConfig(d.imageDim(), d.textDim(), C, nbit, 1, 2, dropout), rng.split());
        ModelFile.save(out.resolve("init.safetensors"), net);
        // expected train-mode loss of the initial network on the first 128 items over 200 dropout masks: equal in
        // expectation to PyTorch's unless a dropout site differs
        {
            int len = Math.min(128, n);
            int[] idx = new int[len];
            for (int i = 0; i < len; i++) idx[i] = i;
            Var image = Var.of(Split.gatherRows(tr.image(), idx)), text = Var.of(Split.gatherRows(tr.text(), idx));
            Var labels = Var.of(Split.gatherRows(tr.labels(), idx));
            float[] tb = java.util.Arrays.copyOf(B, len * nbit);
            double[] sum = new double[4];
            double sq = 0;
            net.train(true);
            java.util.Map<String, float[]> saved = new java.util.HashMap<>();
            for (var e : net.stateDict().entrySet()) saved.put(e.getKey(), e.getValue().toArray());
            try (var ng = Grad.noGrad()) {
                for (int r = 0; r < 200; r++) {
                    net.seedDropout(new Rng(1000 + r));
                    BsthNetwork.Output o = net.forward(image, text);
                    double[] v = Losses.stage2(o.h(), o.pred(), Var.of(tb, len, nbit), labels, 0.01f).values();
                    for (int i = 0; i < 4; i++) sum[i] += v[i] / 200;
                    sq += v[0] * v[0] / 200;
                }
            }
            // batch norm running statistics moved during these passes: put them back
            for (var e : net.stateDict().entrySet()) {
                float[] src = saved.get(e.getKey());
                System.arraycopy(src, 0, e.getValue().data(), e.getValue().offset(), src.length);
            }
            System.out.printf(java.util.Locale.ROOT, "java expected train-mode loss (200 masks): %.5f [%.5f %.5f %.5f], std over masks %.5f%n",
                    sum[0], sum[1], sum[2], sum[3], Math.sqrt(Math.max(0, sq - sum[0] * sum[0])));
        }
        Adam adam = new Adam(net.namedParameters(), 1e-3);
        int[] perms = new int[epochs * n];
        int steps = epochs * ((n + batch - 1) / batch);
        float[] losses = new float[steps * 4];
        int s = 0;
        net.seedDropout(a.length > 6 ? new Rng(dropoutSeed) : rng.split());
        net.train(true);
        for (int e = 0; e < epochs; e++) {
            int[] p = rng.permutation(n);
            System.arraycopy(p, 0, perms, e * n, n);
            for (int b0 = 0; b0 < n; b0 += batch) {
                int len = Math.min(batch, n - b0);
                int[] idx = java.util.Arrays.copyOfRange(p, b0, b0 + len);
                Var image = Var.of(Split.gatherRows(tr.image(), idx)), text = Var.of(Split.gatherRows(tr.text(), idx));
                Var labels = Var.of(Split.gatherRows(tr.labels(), idx));
                float[] tb = new float[len * nbit];
                for (int r = 0; r < len; r++) System.arraycopy(B, idx[r] * nbit, tb, r * nbit, nbit);
                adam.zeroGrad();
                BsthNetwork.Output o = net.forward(image, text);
                Losses.Terms t = Losses.stage2(o.h(), o.pred(), Var.of(tb, len, nbit), labels, 0.01f);
                t.total().backward();
                adam.step();
                double[] v = t.values();
                for (int i = 0; i < 4; i++) losses[s * 4 + i] = (float) v[i];
                s++;
            }
        }
        Npy.writeInts(out.resolve("perms.npy"), perms, epochs, n);
        Npy.writeInts(out.resolve("batch.npy"), new int[] {batch}, 1, 1);
        ModelFile.save(out.resolve("final.safetensors"), net);
        Npy.writeFloats(out.resolve("java_losses.npy"), losses, steps, 4);
        System.out.println("java: " + steps + " steps, last loss " + losses[(steps - 1) * 4]);
    }
}
