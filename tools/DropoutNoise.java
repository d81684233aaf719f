import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.data.Split;
import io.bsth.model.BsthNetwork;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.autograd.state.SafeTensors;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import io.bsth.train.Losses;
import io.bsth.tensor.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Java half of tools/dropout_noise.py: how much noise dropout puts into the outputs, mask by mask, from weights
 * the PyTorch side loads. Writes into OUT: init.safetensors and proto_init.safetensors (fresh stage-2 and stage-1
 * networks), java_h.npy (M x (N*k): h of the first N training items under M dropout masks, train mode, each mask from
 * a fresh seed), java_h_stream.npy (the same from M consecutive forwards after one seeding, as training runs) and
 * java_P.npy (M x (C*k): the prototypes P under M masks, stage-1 dropout 0.5), B.npy and java_grads.safetensors (the
 * mean and variance over M masks of every parameter's gradient, stage-2 loss on the N items against B and stage-1 loss).
 *
 *   java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/DropoutNoise.java OUT DATA NBIT N M
 */
public class DropoutNoise {
    public static void main(String[] a) throws Exception {
        Path out = Path.of(a[0]);
        MultiModalData d = DataSources.open(a[1]);
        int nbit = Integer.parseInt(a[2]), n = Integer.parseInt(a[3]), masks = Integer.parseInt(a[4]);
        Files.createDirectories(out);
        Split tr = d.train();
        int C = tr.classes();
        Rng rng = new Rng(11);
        BsthNetwork net = new BsthNetwork(new ModelConfig(d.imageDim(), d.textDim(), C, nbit, 1, 2, 0.5f), rng.split());
        ModelFile.save(out.resolve("init.safetensors"), net);
        LabelPrototypeNet proto = new LabelPrototypeNet(C, nbit, 0.5f, rng.split());
        proto.save(out.resolve("proto_init.safetensors"), new java.util.LinkedHashMap<>());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Var image = Var.of(Split.gatherRows(tr.image(), idx)), text = Var.of(Split.gatherRows(tr.text(), idx));
        float[] h = new float[masks * n * nbit], p = new float[masks * C * nbit];
        net.train(true);
        proto.train(true);
        try (var ng = Grad.noGrad()) {
            for (int r = 0; r < masks; r++) {
                net.seedDropout(new Rng(1000 + r));
                System.arraycopy(net.forward(image, text).h().data(), 0, h, r * n * nbit, n * nbit);
                proto.seedDropout(new Rng(5000 + r));
                System.arraycopy(proto.prototypes().data(), 0, p, r * C * nbit, C * nbit);
            }
        }
        Npy.writeFloats(out.resolve("java_h.npy"), h, masks, n * nbit);
        // the same, as training draws them: seeded once, then one forward after another (masks must be fresh per step)
        float[] hs = new float[masks * n * nbit];
        net.seedDropout(new Rng(999));
        try (var ng = Grad.noGrad()) {
            for (int r = 0; r < masks; r++) System.arraycopy(net.forward(image, text).h().data(), 0, hs, r * n * nbit, n * nbit);
        }
        Npy.writeFloats(out.resolve("java_h_stream.npy"), hs, masks, n * nbit);
        Npy.writeFloats(out.resolve("java_P.npy"), p, masks, C * nbit);
        // gradients under dropout: target codes B = sign(L R) for a fixed random R (C, k), the stage-2 loss on the
        // N items and the stage-1 loss on all training labels, one backward per mask; per parameter the mean and
        // the variance of the gradient over the masks
        Var labels = Var.of(Split.gatherRows(tr.labels(), idx));
        float[] r = new float[C * nbit];
        new Rng(3).fillNormal(r, 0, r.length, 0f, 1f);
        float[] b = F.matmul(labels, Var.of(r, C, nbit)).data().clone();
        for (int i = 0; i < b.length; i++) b[i] = Math.signum(b[i]);
        Npy.writeFloats(out.resolve("B.npy"), b, n, nbit);
        Var target = Var.of(b, n, nbit), all = Var.of(tr.labels().contiguous());
        Map<String, double[]> sum = new LinkedHashMap<>(), sq = new LinkedHashMap<>();
        for (int m = 0; m < masks; m++) {
            net.seedDropout(new Rng(3000 + m));
            proto.seedDropout(new Rng(7000 + m));
            for (Var v : net.namedParameters().values()) v.zeroGrad();
            for (Var v : proto.namedParameters().values()) v.zeroGrad();
            BsthNetwork.Output o = net.forward(image, text);
            Losses.stage2(o.h(), o.pred(), target, labels, 0.01f).total().backward();
            LabelPrototypeNet.Output po = proto.forward(all);
            Losses.stage1(po.prototypes(), po.code(), po.pred(), all).total().backward();
            accumulate("bsth.", net.namedParameters(), sum, sq);
            accumulate("proto.", proto.namedParameters(), sum, sq);
        }
        Map<String, Tensor> stats = new LinkedHashMap<>();
        for (String k : sum.keySet()) {
            double[] s = sum.get(k), q = sq.get(k);
            float[] mean = new float[s.length], var = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                mean[i] = (float) (s[i] / masks);
                var[i] = (float) Math.max(0, (q[i] - s[i] * s[i] / masks) / (masks - 1));
            }
            stats.put("mean." + k, Tensor.of(mean, s.length));
            stats.put("var." + k, Tensor.of(var, s.length));
        }
        SafeTensors.write(out.resolve("java_grads.safetensors"), stats, Set.of(), Map.of());
    }

    static void accumulate(String prefix, Map<String, Var> params, Map<String, double[]> sum, Map<String, double[]> sq) {
        for (var e : params.entrySet()) {
            float[] g = e.getValue().grad();
            double[] s = sum.computeIfAbsent(prefix + e.getKey(), k -> new double[g.length]);
            double[] q = sq.computeIfAbsent(prefix + e.getKey(), k -> new double[g.length]);
            for (int i = 0; i < g.length; i++) {
                s[i] += g[i];
                q[i] += (double) g[i] * g[i];
            }
        }
    }
}
