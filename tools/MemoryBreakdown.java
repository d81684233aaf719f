import io.bsth.autograd.F;
import io.bsth.autograd.StepBuffers;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.PositionalEncoding;
import io.bsth.autograd.nn.TransformerEncoder;
import io.bsth.autograd.nn.TransformerEncoderLayer;
import io.bsth.autograd.optim.Adam;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.data.Split;
import io.bsth.model.BsthNetwork;
import io.bsth.model.CodeEncoder;
import io.bsth.model.ConceptMlp;
import io.bsth.autograd.nn.Linear;
import io.bsth.tensor.Rng;
import io.bsth.train.Losses;
import io.bsth.train.TrainConfig;
import io.bsth.train.Trainer;
import java.util.Locale;

/**
 * What a `bsth train` run holds, by holder: the data, the parameters with their gradients and Adam's two
 * moments, and one stage-2 step's pool (StepBuffers) split by module: the arrays each module's forward takes
 * (in training mode every forward value stays until the step closes) and what backward takes on top; then the
 * pool of one encode batch. The step is the one Trainer runs (same modules, same order, the run's nbit and
 * batch, the first items of the training split); it prints MB (10^6 bytes).
 *
 *   java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/MemoryBreakdown.java DATA NBIT [BATCH]
 */
public class MemoryBreakdown {
    static StepBuffers pool;
    static long mark;

    static void line(String what, double mb) {
        System.out.printf(Locale.ROOT, "%-46s %9.1f MB%n", what, mb);
    }

    /** MB the pool allocated since the last call. */
    static double taken() {
        long now = pool.allocatedFloats();
        double mb = (now - mark) * 4e-6;
        mark = now;
        return mb;
    }

    static Var concepts(String side, Var x, ConceptMlp mlp, Linear concept, PositionalEncoding pos, TransformerEncoder enc, int k, int dc) {
        Var f = mlp.forward(x);
        line("  " + side + " MLP (linear, batch norm, tanh x2)", taken());
        Var c = F.reshape(concept.forward(f), x.size(0), k, dc);
        line("  " + side + " concept linear", taken());
        Var t = pos.forward(c, true);
        line("  " + side + " positional encoding + dropout (over the concepts)", taken());
        // as TransformerEncoder.forward: each layer's output is dropped once the next layer or the norm has read it
        int i = 0;
        for (TransformerEncoderLayer l : enc.layers.items()) {
            Var y = l.forward(t);
            if (i > 0) t.dropValue();
            t = y;
            line("  " + side + " encoder layer " + i++, taken());
        }
        if (enc.norm != null) {
            Var y = enc.norm.forward(t);
            t.dropValue();
            t = y;
            line("  " + side + " encoder final LayerNorm", taken());
        }
        return t;
    }

    public static void main(String[] a) throws Exception {
        MultiModalData d = DataSources.open(a[0]);
        int nbit = Integer.parseInt(a[1]), batch = a.length > 2 ? Integer.parseInt(a[2]) : 1024;
        long dataFloats = 0;
        for (Split s : d.splits()) dataFloats += (long) s.image().numel() + s.text().numel() + s.labels().numel();
        System.out.printf(Locale.ROOT, "%s, %d bits, batch %d%n", d.summary(), nbit, batch);
        line("data (nine float32 arrays)", dataFloats * 4e-6);
        TrainConfig cfg = new TrainConfig(nbit, 1, 100, batch, 1e-3f, 2021, 1, 2, 0.5f, 0.01f);
        BsthNetwork net = new BsthNetwork(new Trainer(cfg, null).modelConfig(d), new Rng(1));
        Adam adam = new Adam(net.namedParameters(), cfg.lr());
        long params = net.parameterCount();
        line("parameters", params * 4e-6);
        line("their gradients", params * 4e-6);
        line("Adam's moments m, v", 2 * params * 4e-6);
        int k = nbit, dc = net.config.conceptDim(), n = Math.min(batch, d.train().size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Split tr = d.train();
        Var image = Var.of(Split.gatherRows(tr.image(), idx)), text = Var.of(Split.gatherRows(tr.text(), idx));
        Var labels = Var.of(Split.gatherRows(tr.labels(), idx)), target = Var.of(new float[n * k], n, k);
        line("one batch's inputs (image, text, labels, B)", (image.numel() + text.numel() + labels.numel() + (long) n * k) * 4e-6);
        pool = new StepBuffers();
        net.seedDropout(new Rng(2));
        net.train(true);
        System.out.println("stage-2 step pool (StepBuffers), first step:");
        try (var step = pool.step()) {
            adam.zeroGrad();
            Var ci = concepts("image", image, net.imageMLP, net.imageConcept, net.imagePosEncoder, net.imageTransformerEncoder, k, dc);
            Var ct = concepts("text", text, net.textMLP, net.textConcept, net.textPosEncoder, net.textTransformerEncoder, k, dc);
            Var fused = F.addInPlace(ci, ct);
            line("  fusion (add, over the image tokens)", taken());
            Var h = net.hash.forward(fused);
            line("  bit-wise hash", taken());
            Var pred = net.classify.forward(h);
            Losses.Terms loss = Losses.stage2(h, pred, target, labels, cfg.signWeight());
            line("  classifier and loss", taken());
            loss.total().backward();
            line("  backward: gradients on top of the forward values", taken());
            adam.step();
            line("  Adam step", taken());
        }
        line("  pool held after the step", pool.heldFloats() * 4e-6);
        try (var step = pool.step()) {
            adam.zeroGrad();
            BsthNetwork.Output o = net.forward(image, text);
            Losses.stage2(o.h(), o.pred(), target, labels, cfg.signWeight()).total().backward();
            adam.step();
        }
        line("  allocated by a second step", taken());
        pool = null;
        StepBuffers enc = new StepBuffers();
        net.eval();
        CodeEncoder.encode(net, tr.image().narrow(0, 0, n), tr.text().narrow(0, 0, n), CodeEncoder.DEFAULT_BATCH, enc);
        line("encode pool (one batch of " + n + ", eval mode, scopes)", enc.heldFloats() * 4e-6);
        Runtime rt = Runtime.getRuntime();
        System.gc();
        line("heap in use after a full GC (pools dropped)", (rt.totalMemory() - rt.freeMemory()) * 1e-6);
    }
}
