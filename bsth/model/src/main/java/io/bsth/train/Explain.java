package io.bsth.train;

import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.autograd.nn.Linear;
import io.bsth.autograd.nn.MultiheadAttention;
import io.bsth.autograd.nn.PositionalEncoding;
import io.bsth.autograd.nn.TransformerEncoder;
import io.bsth.data.Split;
import io.bsth.model.BsthNetwork;
import io.bsth.model.ConceptMlp;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bsth explain}: one eval-mode forward pass of a network on a few items, printed step by step
 * with each step's equation (numbered as in docs/ALGORITHM.md), its tensor shape and a few of its
 * values, so that the method can be followed on real numbers. The stage-2 pass is computed here module
 * by module, from the same modules {@link BsthNetwork#forward} calls, and its h is the network's h.
 */
public final class Explain {
    /** Values shown per vector. */
    static final int SHOW = 6;

    /** What the pass computed: h (items, k), and the attention weights of the explained bit token (k). */
    public record Result(float[] h, float[] attention) {}

    private final PrintStream out;

    private Explain(PrintStream out) {
        this.out = out;
    }

    /**
     * Prints stage 1 for {@code proto} (skipped when null) and stage 2 for {@code net} on the first
     * {@code items} rows of {@code split}; {@code bit} is the token whose attention weights are shown.
     */
    public static Result run(BsthNetwork net, LabelPrototypeNet proto, Split split, int items, int bit, PrintStream out) {
        int k = net.config.nbit();
        if (items < 1 || items > split.size()) {
            throw new IllegalArgumentException("--items: expected 1 to " + split.size() + " (the " + split.name() + " split's size), got " + items);
        }
        if (bit < 0 || bit >= k) throw new IllegalArgumentException("--bit: expected 0 to " + (k - 1) + ", got " + bit);
        if (split.imageDim() != net.config.imageDim() || split.textDim() != net.config.textDim()) {
            throw new IllegalArgumentException("the data's features are " + split.imageDim() + "-d image, " + split.textDim()
                    + "-d text; the model expects " + net.config.imageDim() + "-d and " + net.config.textDim() + "-d");
        }
        Split s = split.rows(split.name(), pick(split.labels(), items));
        Explain e = new Explain(out);
        boolean wasTraining = net.isTraining();
        net.eval();
        try (var ng = Grad.noGrad()) {
            if (proto != null) e.stage1(proto, s);
            return e.stage2(net, s, bit);
        } finally {
            net.train(wasTraining);
        }
    }

    /**
     * The items to follow: the first one, then (when there is one) the first that shares a label with
     * it and the first that shares none, then the next rows in order; so the Hamming distances at the
     * end compare related and unrelated items.
     */
    static int[] pick(Tensor labels, int items) {
        int n = labels.size(0);
        List<Integer> chosen = new ArrayList<>(List.of(0));
        int related = -1, unrelated = -1;
        for (int j = 1; j < n && (related < 0 || unrelated < 0); j++) {
            if (shared(labels, 0, j) > 0) { if (related < 0) related = j; } else if (unrelated < 0) unrelated = j;
        }
        for (int j : new int[] {related, unrelated}) if (j > 0 && chosen.size() < items) chosen.add(j);
        for (int j = 1; j < n && chosen.size() < items; j++) if (!chosen.contains(j)) chosen.add(j);
        int[] idx = new int[items];
        for (int i = 0; i < items; i++) idx[i] = chosen.get(i);
        return idx;
    }

    // ---- stage 1 ----------------------------------------------------------------------------------

    private void stage1(LabelPrototypeNet proto, Split s) {
        proto.eval();
        int C = proto.classes, k = proto.nbit, n = s.size();
        out.println("Stage 1: label prototypes (one sequence of C class tokens through a transformer; no features involved;");
        out.println("         classes are numbered 1..C, as the rows of E)");
        int[] ids = new int[C];
        for (int c = 0; c < C; c++) ids[c] = c + 1;
        Var e = proto.embedding.forward(ids);
        step("1.1", "class tokens e_c = E[c], c = 1..C (row 0 of E is padding)", e);
        for (int c = 0; c < Math.min(2, C); c++) row("e_" + (c + 1), e.data(), c * k, k);
        Var z = proto.transformerEncoder.forward(F.reshape(e, 1, C, k));
        step("1.2", "prototype encoder Z = LN(Encoder([e_1; ...; e_C]))", F.reshape(z, C, k));
        row("z_1", z.data(), 0, k);
        Var p = proto.prototypes();
        step("1.3", "prototypes p_c = tanh(W_c z_c + b_c), P = [p_1; ...; p_C]", p);
        for (int c = 0; c < Math.min(3, C); c++) {
            out.printf(Locale.ROOT, "    p_%-3d %s  sign %s%n", c + 1, vec(p.data(), c * k, k), signs(p.data(), c * k, k));
        }
        Var code = F.matmul(Var.of(s.labels().contiguous()), p);
        step("1.4", "target codes B = sign(l P), l an item's 0/1 labels (B is for training items)", code);
        for (int i = 0; i < n; i++) {
            out.printf(Locale.ROOT, "    item %d  labels %s  l P %s  B %s%n", i, labels(s.labels(), i),
                    vec(code.data(), i * k, k), signs(code.data(), i * k, k));
        }
        out.println();
    }

    // ---- stage 2 ----------------------------------------------------------------------------------

    private Result stage2(BsthNetwork net, Split s, int bit) {
        int k = net.config.nbit(), dc = net.config.conceptDim(), n = s.size();
        out.printf(Locale.ROOT, "Stage 2: the hash network on %d item(s) of the %s split (eval mode: no dropout, batch norm on running statistics)%n",
                n, s.name());
        for (int i = 0; i < n; i++) out.printf(Locale.ROOT, "    item %d  labels %s%n", i, labels(s.labels(), i));
        Var image = Var.of(s.image().contiguous()), text = Var.of(s.text().contiguous());
        Var[] refined = new Var[2];
        float[] attention = null;
        String[] names = {"image", "text"};
        Var[] inputs = {image, text};
        ConceptMlp[] mlps = {net.imageMLP, net.textMLP};
        Linear[] concepts = {net.imageConcept, net.textConcept};
        PositionalEncoding[] pes = {net.imagePosEncoder, net.textPosEncoder};
        TransformerEncoder[] encoders = {net.imageTransformerEncoder, net.textTransformerEncoder};
        for (int m = 0; m < 2; m++) {
            String x = m == 0 ? "I" : "T";
            out.printf(Locale.ROOT, "-- %s branch: x_%s %s%n", names[m], x, Arrays.toString(inputs[m].shape()));
            Var f = mlps[m].forward(inputs[m]);
            step("Eq. 1", "f_" + x + " = tanh(BN2(W2 tanh(BN1(W1 x_" + x + " + b1)) + b2))", f);
            row("item 0", f.data(), 0, dc);
            Var c = F.reshape(concepts[m].forward(f), n, k, dc);
            step("Eq. 2", "C_" + x + " = reshape(W_de f_" + x + " + b_de) : k concept tokens of width d_c", c);
            row("item 0, token 0", c.data(), 0, dc);
            Var cp = pes[m].forward(c);
            step("PE", "C_" + x + " + PE (sinusoidal table, one row per token position)", cp);
            row("item 0, token 1", cp.data(), dc, dc);
            float[] a = attentionWeights(encoders[m].layers.items().get(0).selfAttn, cp, bit);
            if (m == 0) attention = a;
            MultiheadAttention mha = encoders[m].layers.items().get(0).selfAttn;
            out.printf(Locale.ROOT, "%-7s %-78s %s%n", "Eq. 3", "a_j = softmax(q_j K^T / sqrt(d_c/H)): layer 1, head 1, token j = " + bit + ", item 0",
                    "[" + k + "]");
            out.printf(Locale.ROOT, "    a_%d = %s  (sum %.4f; %d head(s) of width %d)%n", bit, vec(a, 0, k, k), sum(a), mha.H, dc / mha.H);
            out.printf(Locale.ROOT, "    token %d attends most to %s%n", bit, strongest(a));
            refined[m] = encoders[m].forward(cp);
            step("Eq. 3", "C~_" + x + " = LN(Encoder(C_" + x + " + PE)) (" + encoders[m].layers.items().size()
                    + " post-norm layers: self-attention, feed-forward, LayerNorm)", refined[m]);
            row("item 0, token " + bit, refined[m].data(), bit * dc, dc);
        }
        out.println("-- both branches");
        Var fused = F.add(refined[0], refined[1]);
        step("Eq. 4", "C~f = C~_I + C~_T (token by token)", fused);
        row("item 0, token " + bit, fused.data(), bit * dc, dc);
        Var h = net.hash.forward(fused);
        step("Eq. 6", "h_j = tanh(w2_j . tanh(BN(W1_j c~f_j + b1_j)) + b2_j), one head per bit j", h);
        for (int i = 0; i < n; i++) row("item " + i, h.data(), i * k, k, k);
        out.printf(Locale.ROOT, "%-7s %-78s %s%n", "Eq. 7", "b = sign(h): the code", "[" + n + ", " + k + "]");
        for (int i = 0; i < n; i++) out.printf(Locale.ROOT, "    item %d  %s%n", i, signs(h.data(), i * k, k));
        Var pred = net.classify.forward(h);
        step("Eq. 8", "pred = h W^T + c; sigmoid(pred) is the predicted label probability", pred);
        int C = pred.size(1);
        for (int i = 0; i < n; i++) {
            out.printf(Locale.ROOT, "    item %d  most probable classes %s  labels %s%n", i, topClasses(pred.data(), i * C, C, 3), labels(s.labels(), i));
        }
        if (n > 1) {
            out.printf(Locale.ROOT, "%-7s %s%n", "search", "d(q, x) = popcount(q XOR x) = (k - <b_q, b_x>) / 2, the Hamming distance ranking uses");
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    out.printf(Locale.ROOT, "    items %d and %d  d = %d of %d  (share %s label(s))%n", i, j, hamming(h.data(), i, j, k), k,
                            shared(s.labels(), i, j));
                }
            }
        }
        return new Result(h.data().clone(), attention);
    }

    /**
     * The first layer's attention weights of token {@code bit} of item 0 (head 1), recomputed from the
     * layer's in-projection as the attention op computes them: q = W_q x + b_q, K = W_k X + b_k.
     */
    static float[] attentionWeights(MultiheadAttention mha, Var tokens, int bit) {
        int k = tokens.size(1), E = mha.E, hd = E / mha.H;
        Var item0 = F.reshape(F.narrowRows(tokens, 0, 1), k, E);
        float[] qkv = F.linear(item0, mha.inProjWeight, mha.inProjBias).data();   // (k, 3E): [q | k | v] per token
        double scale = 1 / Math.sqrt(hd);
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < k; t++) {
            double d = 0;
            for (int c = 0; c < hd; c++) d += (double) qkv[bit * 3 * E + c] * qkv[t * 3 * E + E + c];
            logits[t] = d * scale;
            max = Math.max(max, logits[t]);
        }
        double z = 0;
        for (int t = 0; t < k; t++) z += Math.exp(logits[t] - max);
        float[] a = new float[k];
        for (int t = 0; t < k; t++) a[t] = (float) (Math.exp(logits[t] - max) / z);
        return a;
    }

    // ---- printing ---------------------------------------------------------------------------------

    private void step(String tag, String equation, Var v) {
        out.printf(Locale.ROOT, "%-7s %-78s %s%n", tag, equation, Arrays.toString(v.shape()));
    }

    private void row(String what, float[] a, int off, int len) {
        row(what, a, off, len, SHOW);
    }

    private void row(String what, float[] a, int off, int len, int show) {
        out.printf(Locale.ROOT, "    %-16s %s%n", what, vec(a, off, len, show));
    }

    static String vec(float[] a, int off, int len) {
        return vec(a, off, len, SHOW);
    }

    static String vec(float[] a, int off, int len, int show) {
        StringBuilder sb = new StringBuilder("[");
        int m = Math.min(len, show);
        for (int i = 0; i < m; i++) sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.4f", a[off + i]));
        if (len > m) sb.append(", ... (").append(len).append(" values)");
        return sb.append(']').toString();
    }

    static String signs(float[] a, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) sb.append(a[off + i] > 0 ? '+' : a[off + i] < 0 ? '-' : '0');
        return sb.toString();
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s;
    }

    private static String strongest(float[] a) {
        Integer[] order = new Integer[a.length];
        for (int i = 0; i < a.length; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Float.compare(a[y], a[x]));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(3, a.length); i++) parts.add(String.format(Locale.ROOT, "token %d (%.3f)", order[i], a[order[i]]));
        return String.join(", ", parts);
    }

    private static String topClasses(float[] pred, int off, int C, int top) {
        Integer[] order = new Integer[C];
        for (int i = 0; i < C; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Float.compare(pred[off + y], pred[off + x]));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(top, C); i++) {
            int c = order[i];
            parts.add(String.format(Locale.ROOT, "%d (%.2f)", c + 1, 1 / (1 + Math.exp(-pred[off + c]))));
        }
        return String.join(", ", parts);
    }

    private static String labels(Tensor labels, int row) {
        List<String> on = new ArrayList<>();
        for (int c = 0; c < labels.size(1); c++) if (labels.get(row, c) != 0f) on.add(Integer.toString(c + 1));
        return "{" + String.join(", ", on) + "}";
    }

    private static int shared(Tensor labels, int i, int j) {
        int s = 0;
        for (int c = 0; c < labels.size(1); c++) if (labels.get(i, c) != 0f && labels.get(j, c) != 0f) s++;
        return s;
    }

    private static int hamming(float[] h, int i, int j, int k) {
        int d = 0;
        for (int b = 0; b < k; b++) if ((h[i * k + b] > 0) != (h[j * k + b] > 0)) d++;
        return d;
    }
}
