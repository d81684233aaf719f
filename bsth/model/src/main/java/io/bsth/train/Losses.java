package io.bsth.train;

import io.bsth.autograd.F;
import io.bsth.autograd.Var;
import io.bsth.tensor.kernels.Matmul;

/** The two objectives of docs/ALGORITHM.md, term by term (each term a one-element node; the total their weighted sum). */
public final class Losses {
    /** Loss terms and their weighted sum. */
    public record Terms(Var total, Var[] terms, float[] weights) {
        public double[] values() {
            double[] v = new double[terms.length + 1];
            v[0] = total.item();
            for (int i = 0; i < terms.length; i++) v[i + 1] = terms[i].item();
            return v;
        }
    }

    /** Names of {@link Terms#values()} of stage 1. */
    public static final String[] STAGE1_NAMES = {"loss", "label", "quant", "balance", "proto"};
    /** Names of {@link Terms#values()} of stage 2. */
    public static final String[] STAGE2_NAMES = {"loss", "label", "sign", "sim"};

    static final float EPS = 1e-12f;

    private Losses() {}

    /**
     * Stage 1: 0.001 MSE(sigmoid(pred), L) + 100 MSE(code, sign(code)) + 0.01 sum(code)/n
     * + 1 MSE(Pn Pn^T, A), with Pn the L2-normalised prototypes and A = (L^T L, diagonal set to n) / n.
     * labels (n, C) constant; P (C, k); code (n, k); pred (n, C).
     */
    public static Terms stage1(Var prototypes, Var code, Var pred, Var labels) {
        int n = labels.size(0);
        Var label = F.mse(F.sigmoid(pred), labels);
        Var quant = F.mse(code, F.sign(code));
        Var balance = F.scale(F.sum(code), 1f / n);
        Var pn = F.normalizeRows(prototypes, EPS);
        Var proto = F.mse(F.matmul(pn, false, pn, true), Var.of(cooccurrence(labels), labels.size(1), labels.size(1)));
        float[] w = {0.001f, 100f, 0.01f, 1f};
        return new Terms(F.weightedSum(w, label, quant, balance, proto), new Var[] {label, quant, balance, proto}, w);
    }

    /** A = (L^T L with its diagonal set to n) / n, the label co-occurrence target (C, C). */
    static float[] cooccurrence(Var labels) {
        int n = labels.size(0), c = labels.size(1);
        float[] ltl = new float[c * c];   // 0/1 labels: every entry is an integer count, exact in float
        Matmul.sgemm(true, false, c, c, n, 1f, labels.data(), 0, c, labels.data(), 0, c, 0f, ltl, 0, c);
        float[] out = new float[c * c];
        for (int p = 0; p < c; p++) {
            for (int q = 0; q < c; q++) out[p * c + q] = (float) ((double) (p == q ? n : ltl[p * c + q]) / n);
        }
        return out;
    }

    /**
     * Stage 2: 1 MSE(sigmoid(pred), L) + w MSE(h, B) + 1 MSE(Hn Hn^T, S), Hn the L2-normalised rows of h
     * and S = 2 sigmoid(L L^T) - 1 over the batch. h (b, k); pred (b, C); target codes B (b, k); labels (b, C).
     */
    public static Terms stage2(Var h, Var pred, Var targetCodes, Var labels, float signWeight) {
        Var label = F.mse(F.sigmoid(pred), labels);
        Var sign = F.mse(h, targetCodes);
        Var hn = F.normalizeRows(h, EPS);
        Var sim = F.mse(F.matmul(hn, false, hn, true), Var.of(similarity(labels), labels.size(0), labels.size(0)));
        float[] w = {1f, signWeight, 1f};
        return new Terms(F.weightedSum(w, label, sign, sim), new Var[] {label, sign, sim}, w);
    }

    /** S = 2 sigmoid(L L^T) - 1 (b, b). */
    static float[] similarity(Var labels) {
        int b = labels.size(0), c = labels.size(1);
        float[] s = new float[b * b];   // L L^T: shared-label counts, exact in float
        Matmul.sgemm(false, true, b, b, c, 1f, labels.data(), 0, c, labels.data(), 0, c, 0f, s, 0, b);
        for (int i = 0; i < s.length; i++) s[i] = (float) (2 / (1 + Math.exp(-s[i])) - 1);
        return s;
    }
}
