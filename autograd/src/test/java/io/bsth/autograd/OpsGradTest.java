package io.bsth.autograd;

import org.junit.jupiter.api.Test;

import static io.bsth.autograd.GradCheck.check;
import static io.bsth.autograd.GradCheck.constant;
import static io.bsth.autograd.GradCheck.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference checks of every functional op (h = 1e-2 unless stated, tolerance 1e-3 abs + 1e-2 rel). */
class OpsGradTest {
    static final float H = 1e-2f;
    static final double ATOL = 1e-3, RTOL = 1e-2;

    @Test
    void matmulAllTransposes() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Var a = ta ? leaf(1, -1, 1, 5, 3) : leaf(1, -1, 1, 3, 5);
                Var b = tb ? leaf(2, -1, 1, 4, 5) : leaf(2, -1, 1, 5, 4);
                check("matmul " + ta + tb, in -> F.matmul(in[0], ta, in[1], tb), H, ATOL, RTOL, a, b);
            }
        }
    }

    @Test
    void linearWithAndWithoutBias() {
        Var x = leaf(3, -1, 1, 2, 3, 7), w = leaf(4, -1, 1, 5, 7), b = leaf(5, -1, 1, 5);
        check("linear", in -> F.linear(in[0], in[1], in[2]), H, ATOL, RTOL, x, w, b);
        check("linear no bias", in -> F.linear(in[0], in[1], null), H, ATOL, RTOL, x, w);
        Var y = F.linear(x, w, b);
        assertArrayEquals(new int[] {2, 3, 5}, y.shape());
    }

    @Test
    void arithmetic() {
        Var a = leaf(6, -1, 1, 4, 3), b = leaf(7, -1, 1, 4, 3);
        check("add", in -> F.add(in[0], in[1]), H, ATOL, RTOL, a, b);
        check("sub", in -> F.sub(in[0], in[1]), H, ATOL, RTOL, a, b);
        check("mul", in -> F.mul(in[0], in[1]), H, ATOL, RTOL, a, b);
        check("scale", in -> F.scale(in[0], -2.5f), H, ATOL, RTOL, a);
        check("addScalar", in -> F.addScalar(in[0], 0.7f), H, ATOL, RTOL, a);
        check("sum", in -> F.sum(in[0]), H, ATOL, RTOL, a);
        check("mean", in -> F.mean(in[0]), H, ATOL, RTOL, a);
        check("weightedSum", in -> F.weightedSum(new float[] {0.5f, -3f}, F.sum(in[0]), F.mean(F.mul(in[1], in[1]))),
                H, ATOL, RTOL, a, b);
        check("reshape", in -> F.mul(F.reshape(in[0], 3, -1), F.reshape(in[1], 3, 4)), H, ATOL, RTOL, a, b);
        // gradients passed on: each op result takes the add's (or reshape's) gradient array at most once
        check("add of results", in -> F.mul(F.add(F.tanh(in[0]), F.tanh(in[1])), in[1]), H, ATOL, RTOL, a, b);
        check("add of one result twice", in -> F.add(F.tanh(in[0]), F.tanh(in[0])), H, ATOL, RTOL, a);
        check("add of a result to itself", in -> { Var t = F.tanh(in[0]); return F.mul(F.add(t, t), F.reshape(F.reshape(t, 3, 4), 4, 3)); },
                H, ATOL, RTOL, a);
        check("permute", in -> F.permute(in[0], 2, 0, 1), H, ATOL, RTOL, leaf(8, -1, 1, 2, 3, 4));
        check("narrowRows", in -> F.narrowRows(in[0], 1, 2), H, ATOL, RTOL, a);
    }

    @Test
    void activations() {
        Var x = leaf(9, -3, 3, 37);
        check("tanh", in -> F.tanh(in[0]), H, ATOL, RTOL, x);
        check("sigmoid", in -> F.sigmoid(in[0]), H, ATOL, RTOL, x);
        check("gelu", in -> F.gelu(in[0]), H, ATOL, RTOL, x);
        check("softmax", in -> F.softmax(in[0]), H, ATOL, RTOL, leaf(10, -2, 2, 3, 13));
    }

    @Test
    void normalisations() {
        check("normalizeRows", in -> F.normalizeRows(in[0], 1e-12f), H, ATOL, RTOL, leaf(11, -1, 1, 4, 9));
        Var zeroRow = Var.param(new float[] {0f, 0f, 0f, 1e-14f, 0f, 0f}, 2, 3);
        Var y = F.normalizeRows(zeroRow, 1e-12f);
        assertEquals(0.01f, y.data()[3], 1e-6f);
        check("layerNorm", in -> F.layerNorm(in[0], in[1], in[2], 1e-5f), H, ATOL, RTOL,
                leaf(12, -2, 2, 5, 11), leaf(13, 0.5f, 1.5f, 11), leaf(14, -1, 1, 11));
    }

    @Test
    void residualLayerNormMatchesTheSeparateOpsBitForBit() {
        // LayerNorm(x + dropout(a)) fused against dropout, add and layerNorm in turn: values, the
        // gradients of x, a, w and b (accumulated onto earlier ones), and the draws left in the generator;
        // widths of one element, lanes +- 1 and odd, with and without dropout, in training and not
        int lanes = io.bsth.tensor.Simd.floatLanes();
        long seed = 40;
        for (int C : new int[] {1, lanes - 1, lanes, lanes + 1, 37, 128}) {
            for (float p : new float[] {0f, 0.5f, 0.1f}) {
                for (boolean training : new boolean[] {true, false}) {
                    int rows = 7;
                    Var x = leaf(seed, -2, 2, rows, C), a = leaf(seed + 1, -2, 2, rows, C);
                    Var w = leaf(seed + 2, 0.5f, 1.5f, C), b = leaf(seed + 3, -1, 1, C);
                    float[] r = new float[rows * C];
                    new io.bsth.tensor.Rng(seed + 4).fillUniform(r, 0, r.length, -1f, 1f);
                    float[][] grads = new float[2][];
                    float[] prior = new float[x.numel()];
                    new io.bsth.tensor.Rng(seed + 5).fillUniform(prior, 0, prior.length, -1f, 1f);
                    float[][] values = new float[2][];
                    long[] next = new long[2];
                    for (int fused = 0; fused < 2; fused++) {
                        for (Var v : new Var[] {x, a, w, b}) v.clearGrad();
                        // an earlier gradient already in x and a: backward must add to it
                        F.scale(F.add(x, a), 1f).backward(prior);
                        io.bsth.tensor.Rng rng = new io.bsth.tensor.Rng(seed + 6);
                        Var y = fused == 1 ? F.residualLayerNorm(x, a, p, training, rng, w, b, 1e-5f)
                                : F.layerNorm(F.add(x, F.dropout(a, p, training, rng)), w, b, 1e-5f);
                        y.backward(r);
                        values[fused] = y.data().clone();
                        next[fused] = rng.nextLong();
                        grads[fused] = concat(x.grad(), a.grad(), w.grad(), b.grad());
                    }
                    String what = "C=" + C + " p=" + p + " training=" + training;
                    assertArrayEquals(values[0], values[1], "values, " + what);
                    assertArrayEquals(grads[0], grads[1], "gradients, " + what);
                    assertEquals(next[0], next[1], "draws taken, " + what);
                    seed += 7;
                }
            }
        }
        check("residualLayerNorm", in -> F.residualLayerNorm(in[0], in[1], 0.3f, true, new io.bsth.tensor.Rng(8), in[2], in[3], 1e-5f),
                H, ATOL, RTOL, leaf(21, -2, 2, 5, 11), leaf(22, -2, 2, 5, 11), leaf(23, 0.5f, 1.5f, 11), leaf(24, -1, 1, 11));
        check("residualLayerNorm eval", in -> F.residualLayerNorm(in[0], in[1], 0.3f, false, null, in[2], in[3], 1e-5f),
                H, ATOL, RTOL, leaf(25, -2, 2, 3, 17), leaf(26, -2, 2, 3, 17), leaf(27, 0.5f, 1.5f, 17), leaf(28, -1, 1, 17));
    }

    @Test
    void geluDropoutLinearMatchesTheSeparateOpsBitForBit() {
        // linear(dropout(gelu(x))) fused against gelu, dropout and linear in turn, outside a step and
        // inside one (arrays from the pool, forward values handed back during backward): values, the
        // gradients of x, w and b (accumulated onto earlier ones) and the draws left in the generator
        int lanes = io.bsth.tensor.Simd.floatLanes();
        long seed = 60;
        for (int in : new int[] {1, Math.max(2, lanes - 1), lanes + 1, 37, 128}) {
            for (float p : new float[] {0f, 0.5f, 0.1f, 1f}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (boolean pooled : new boolean[] {false, true}) {
                        int rows = 41, out = 9;
                        Var x = leaf(seed, -3, 3, rows, in), w = leaf(seed + 1, -1, 1, out, in), b = leaf(seed + 2, -1, 1, out);
                        float[] r = new float[rows * out];
                        new io.bsth.tensor.Rng(seed + 3).fillUniform(r, 0, r.length, -1f, 1f);
                        float[] prior = new float[x.numel()];
                        new io.bsth.tensor.Rng(seed + 4).fillUniform(prior, 0, prior.length, -1f, 1f);
                        float[][] values = new float[2][], grads = new float[2][];
                        long[] next = new long[2];
                        for (int fused = 0; fused < 2; fused++) {
                            for (Var v : new Var[] {x, w, b}) v.clearGrad();
                            F.scale(x, 1f).backward(prior);
                            StepBuffers.Step step = pooled ? new StepBuffers().step() : null;
                            try {
                                io.bsth.tensor.Rng rng = new io.bsth.tensor.Rng(seed + 5);
                                Var y = fused == 1 ? F.geluDropoutLinear(x, p, training, rng, w, b)
                                        : F.linear(F.dropout(F.gelu(x), p, training, rng), w, b);
                                values[fused] = y.data().clone();
                                y.backward(r);
                                next[fused] = rng.nextLong();
                                grads[fused] = concat(x.grad(), w.grad(), b.grad());
                            } finally {
                                if (step != null) step.close();
                            }
                        }
                        String what = "in=" + in + " p=" + p + " training=" + training + " pooled=" + pooled;
                        assertArrayEquals(values[0], values[1], "values, " + what);
                        assertArrayEquals(grads[0], grads[1], "gradients, " + what);
                        assertEquals(next[0], next[1], "draws taken, " + what);
                        seed += 6;
                    }
                }
            }
        }
        check("geluDropoutLinear", in -> F.geluDropoutLinear(in[0], 0.3f, true, new io.bsth.tensor.Rng(8), in[1], in[2]),
                H, ATOL, RTOL, leaf(31, -2, 2, 5, 11), leaf(32, -1, 1, 4, 11), leaf(33, -1, 1, 4));
        check("geluDropoutLinear eval, no bias", in -> F.geluDropoutLinear(in[0], 0.3f, false, null, in[1], null),
                H, ATOL, RTOL, leaf(34, -2, 2, 3, 7), leaf(35, -1, 1, 6, 7));
    }

    @Test
    void selfAttentionLinearMatchesTheSeparateOpsBitForBit() {
        // linear(selfAttention(qkv)) fused against selfAttention and linear in turn, both layouts,
        // outside a step and inside one: values, the gradients of qkv, w and b (accumulated onto
        // earlier ones) and the draws left in the generator
        int lanes = io.bsth.tensor.Simd.floatLanes();
        long seed = 400;
        int[][] shapes = {{1, 3, 4, 1}, {5, 2, 8, 2}, {17, 3, lanes + 1, 1}, {16, 4, 128, 1}, {7, 2, 12, 3}}; // T, N, E, H
        for (int[] sh : shapes) {
            int T = sh[0], N = sh[1], E = sh[2], heads = sh[3];
            for (float p : new float[] {0f, 0.5f, 0.1f}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (boolean batchFirst : new boolean[] {false, true}) {
                        for (boolean pooled : new boolean[] {false, true}) {
                            int out = E;
                            int[] qkvShape = batchFirst ? new int[] {N, T, 3 * E} : new int[] {T, N, 3 * E};
                            Var qkv = leaf(seed, -2, 2, qkvShape), w = leaf(seed + 1, -1, 1, out, E), b = leaf(seed + 2, -1, 1, out);
                            float[] r = new float[T * N * out];
                            new io.bsth.tensor.Rng(seed + 3).fillUniform(r, 0, r.length, -1f, 1f);
                            float[] prior = new float[qkv.numel()];
                            new io.bsth.tensor.Rng(seed + 4).fillUniform(prior, 0, prior.length, -1f, 1f);
                            float[][] values = new float[2][], grads = new float[2][];
                            long[] next = new long[2];
                            for (int fused = 0; fused < 2; fused++) {
                                for (Var v : new Var[] {qkv, w, b}) v.clearGrad();
                                F.scale(qkv, 1f).backward(prior);
                                StepBuffers.Step step = pooled ? new StepBuffers().step() : null;
                                try {
                                    io.bsth.tensor.Rng rng = new io.bsth.tensor.Rng(seed + 5);
                                    io.bsth.tensor.Rng r2 = training ? rng : null;
                                    Var y = fused == 1 ? F.selfAttentionLinear(qkv, heads, batchFirst, p, r2, w, b)
                                            : F.linear(F.selfAttention(qkv, heads, batchFirst, p, r2), w, b);
                                    values[fused] = y.data().clone();
                                    y.backward(r);
                                    next[fused] = rng.nextLong();
                                    grads[fused] = concat(qkv.grad(), w.grad(), b.grad());
                                } finally {
                                    if (step != null) step.close();
                                }
                            }
                            String what = "T=" + T + " N=" + N + " E=" + E + " H=" + heads + " p=" + p + " training=" + training
                                    + " batchFirst=" + batchFirst + " pooled=" + pooled;
                            assertArrayEquals(values[0], values[1], "values, " + what);
                            assertArrayEquals(grads[0], grads[1], "gradients, " + what);
                            assertEquals(next[0], next[1], "draws taken, " + what);
                            seed += 6;
                        }
                    }
                }
            }
        }
        check("selfAttentionLinear", in -> F.selfAttentionLinear(in[0], 2, false, 0.3f, new io.bsth.tensor.Rng(8), in[1], in[2]),
                H, ATOL, RTOL, leaf(41, -1, 1, 3, 2, 12), leaf(42, -1, 1, 4, 4), leaf(43, -1, 1, 4));
        check("selfAttentionLinear eval, no bias, batch first", in -> F.selfAttentionLinear(in[0], 1, true, 0.3f, null, in[1], null),
                H, ATOL, RTOL, leaf(44, -1, 1, 2, 3, 9), leaf(45, -1, 1, 3, 3));
    }

    @Test
    void opsWrittenOverTheirInputMatchTheCopyingOpsBitForBit() {
        // addInPlace against add, and the positional encoding (with and without dropout) written over its
        // input against the one into a new array, each on a linear map's output (whose backward reads its
        // input, not its output), outside a step and inside one: values, gradients, draws, and that the
        // in-place result holds its input's array
        int lanes = io.bsth.tensor.Simd.floatLanes();
        long seed = 900;
        for (int d : new int[] {2, lanes + 2}) {
            for (float p : new float[] {0f, 0.5f, 1f}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (boolean pooled : new boolean[] {false, true}) {
                        int T = 5, N = 3;
                        Var x = leaf(seed, -2, 2, T * N, 4), w = leaf(seed + 1, -1, 1, d, 4), o = leaf(seed + 2, -1, 1, T, N, d);
                        float[] r = new float[T * N * d];
                        new io.bsth.tensor.Rng(seed + 3).fillUniform(r, 0, r.length, -1f, 1f);
                        io.bsth.tensor.Tensor peD = new io.bsth.autograd.nn.PositionalEncoding(d, 0f, 16, false).pe;
                        float[][] values = new float[2][], grads = new float[2][];
                        long[] next = new long[2];
                        for (int over = 0; over < 2; over++) {
                            for (Var v : new Var[] {x, w, o}) v.clearGrad();
                            StepBuffers.Step step = pooled ? new StepBuffers().step() : null;
                            try {
                                io.bsth.tensor.Rng rng = new io.bsth.tensor.Rng(seed + 5);
                                Var c = F.reshape(F.linear(x, w, null), T, N, d);
                                Var e = F.addPositionalEncoding(c, peD, false, p, training, rng, over == 1);
                                Var a = F.reshape(F.linear(x, w, null), T, N, d);
                                Var y = over == 1 ? F.addInPlace(a, F.mul(e, o)) : F.add(a, F.mul(e, o));
                                if (over == 1) assertTrue(y.data() == a.data(), "addInPlace writes over its input");
                                if (over == 1 && training && p > 0f && p < 1f) assertTrue(e.data() == c.data(), "the encoding writes over its input");
                                values[over] = y.data().clone();
                                y.backward(r);
                                next[over] = rng.nextLong();
                                grads[over] = concat(x.grad(), w.grad(), o.grad());
                            } finally {
                                if (step != null) step.close();
                            }
                        }
                        String what = "d=" + d + " p=" + p + " training=" + training + " pooled=" + pooled;
                        assertArrayEquals(values[0], values[1], "values, " + what);
                        assertArrayEquals(grads[0], grads[1], "gradients, " + what);
                        assertEquals(next[0], next[1], "draws taken, " + what);
                        seed += 6;
                    }
                }
            }
        }
    }

    @Test
    void gradientOverQkvSumOverBranchAndDroppedValuesKeepTheBits() {
        // a post-norm layer written with the ops as they are stored by default, against the same layer
        // with the attention's gradient written over qkv, both residual LayerNorms storing their sum over
        // their branch and their outputs dropped once read (computed again when a linear map's backward
        // reads them): values, the gradients of every input (accumulated onto earlier ones) and the draws
        // left, outside a step and inside one, both layouts, with and without dropout, in training and not
        int lanes = io.bsth.tensor.Simd.floatLanes();
        long seed = 1300;
        int[][] shapes = {{1, 2, 4, 1}, {5, 3, 8, 2}, {9, 2, lanes + 1, 1}}; // T, N, E, H
        for (int[] sh : shapes) {
            int T = sh[0], N = sh[1], E = sh[2], heads = sh[3];
            for (float p : new float[] {0f, 0.3f}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (boolean batchFirst : new boolean[] {false, true}) {
                        for (boolean pooled : new boolean[] {false, true}) {
                            int[] xShape = batchFirst ? new int[] {N, T, E} : new int[] {T, N, E};
                            Var x = leaf(seed, -2, 2, xShape), wIn = leaf(seed + 1, -1, 1, 3 * E, E), bIn = leaf(seed + 2, -1, 1, 3 * E);
                            Var wO = leaf(seed + 3, -1, 1, E, E), w1 = leaf(seed + 4, -1, 1, E, E), w2 = leaf(seed + 5, -1, 1, E, E);
                            Var g1 = leaf(seed + 6, 0.5f, 1.5f, E), b1 = leaf(seed + 7, -1, 1, E);
                            Var g2 = leaf(seed + 8, 0.5f, 1.5f, E), b2 = leaf(seed + 9, -1, 1, E);
                            Var[] inputs = {x, wIn, bIn, wO, w1, w2, g1, b1, g2, b2};
                            float[] r = new float[T * N * E];
                            new io.bsth.tensor.Rng(seed + 10).fillUniform(r, 0, r.length, -1f, 1f);
                            float[] prior = new float[x.numel()];
                            new io.bsth.tensor.Rng(seed + 11).fillUniform(prior, 0, prior.length, -1f, 1f);
                            float[][] values = new float[2][], grads = new float[2][];
                            long[] next = new long[2];
                            for (int stored = 0; stored < 2; stored++) {
                                boolean lean = stored == 1;
                                for (Var v : inputs) v.clearGrad();
                                F.scale(x, 1f).backward(prior);
                                StepBuffers.Step step = pooled ? new StepBuffers().step() : null;
                                try {
                                    io.bsth.tensor.Rng rng = new io.bsth.tensor.Rng(seed + 12);
                                    io.bsth.tensor.Rng attn = training ? rng : null;
                                    Var qkv = F.linear(x, wIn, bIn);
                                    Var a = F.selfAttentionLinear(qkv, heads, batchFirst, p, attn, wO, null, lean);
                                    Var h = F.residualLayerNorm(x, a, p, training, rng, g1, b1, 1e-5f, lean);
                                    Var u = F.linear(h, w1, null);
                                    Var y = F.residualLayerNorm(h, u, p, training, rng, g2, b2, 1e-5f, lean);
                                    if (lean) {
                                        float[] before = h.data().clone();
                                        assertTrue(h.dropValue(), "a residual LayerNorm with its sum stored drops its value");
                                        assertArrayEquals(before, h.data(), "the value computed again");
                                        assertTrue(h.dropValue());
                                    }
                                    Var z = F.linear(y, w2, null);
                                    if (lean) assertTrue(y.dropValue());
                                    values[stored] = z.data().clone();
                                    z.backward(r);
                                    assertFalse(y.dropValue(), "after backward has passed it");
                                    next[stored] = rng.nextLong();
                                    float[][] g = new float[inputs.length][];
                                    for (int i = 0; i < g.length; i++) g[i] = inputs[i].grad();
                                    grads[stored] = concat(g);
                                } finally {
                                    if (step != null) step.close();
                                }
                            }
                            String what = "T=" + T + " N=" + N + " E=" + E + " H=" + heads + " p=" + p + " training=" + training
                                    + " batchFirst=" + batchFirst + " pooled=" + pooled;
                            assertArrayEquals(values[0], values[1], "values, " + what);
                            assertArrayEquals(grads[0], grads[1], "gradients, " + what);
                            assertEquals(next[0], next[1], "draws taken, " + what);
                            seed += 13;
                        }
                    }
                }
            }
        }
        check("residualLayerNorm, sum over the branch", in -> F.residualLayerNorm(in[0], F.scale(in[1], 1f), 0.3f, true,
                new io.bsth.tensor.Rng(8), in[2], in[3], 1e-5f, true),
                H, ATOL, RTOL, leaf(31, -2, 2, 5, 11), leaf(32, -2, 2, 5, 11), leaf(33, 0.5f, 1.5f, 11), leaf(34, -1, 1, 11));
    }

    @Test
    void valuesAreDroppedOnlyWhereTheyCanBeComputedAgain() {
        Var x = leaf(50, -2, 2, 4, 6), a = leaf(51, -2, 2, 4, 6);
        // an op without a way to compute its value again, and a residual LayerNorm without its sum stored
        assertFalse(F.linear(x, leaf(52, -1, 1, 6, 6), null).dropValue());
        assertFalse(F.residualLayerNorm(x, F.scale(a, 1f), 0f, false, null, null, null, 1e-5f).dropValue());
        // a view shares the array: the value stays
        Var y = F.residualLayerNorm(x, F.scale(a, 1f), 0f, false, null, null, null, 1e-5f, true);
        Var view = F.reshape(y, 24);
        assertFalse(y.dropValue(), "a view of it exists");
        assertEquals(24, view.numel());
        // no graph: nothing to compute it again for
        try (var g = Grad.noGrad()) {
            assertFalse(F.residualLayerNorm(x, F.scale(a, 1f), 0f, false, null, null, null, 1e-5f, true).dropValue());
        }
        // dropped, then read through tensor() and item()-sized reads: computed again
        Var z = F.residualLayerNorm(x, F.scale(a, 1f), 0f, false, null, null, null, 1e-5f, true);
        float[] before = z.data().clone();
        assertTrue(z.dropValue());
        assertEquals(24, z.numel());
        assertArrayEquals(before, z.tensor().toArray());
    }

    @Test
    void positionalEncodingDropoutMatchesTheSeparateOpsBitForBit() {
        // dropout(x + pe) fused against addPositionalEncoding and dropout in turn, both layouts, outside
        // a step and inside one: values, x's gradient (accumulated onto an earlier one), the draws taken
        int lanes = io.bsth.tensor.Simd.floatLanes();
        long seed = 80;
        for (int d : new int[] {2, lanes + 2, 38, 128}) {
            float[] t = new float[50 * d];
            new io.bsth.tensor.Rng(seed).fillUniform(t, 0, t.length, -1f, 1f);
            io.bsth.tensor.Tensor pe = io.bsth.tensor.Tensor.of(t, 50, 1, d);
            for (float p : new float[] {0f, 0.5f, 0.1f, 1f}) {
                for (boolean training : new boolean[] {true, false}) {
                    for (boolean batchFirst : new boolean[] {true, false}) {
                        for (boolean pooled : new boolean[] {false, true}) {
                            Var x = leaf(seed + 1, -2, 2, 33, 17, d);
                            float[] r = new float[x.numel()], prior = new float[x.numel()];
                            new io.bsth.tensor.Rng(seed + 2).fillUniform(r, 0, r.length, -1f, 1f);
                            new io.bsth.tensor.Rng(seed + 3).fillUniform(prior, 0, prior.length, -1f, 1f);
                            float[][] values = new float[2][], grads = new float[2][];
                            long[] next = new long[2];
                            for (int fused = 0; fused < 2; fused++) {
                                x.clearGrad();
                                F.scale(x, 1f).backward(prior);
                                StepBuffers.Step step = pooled ? new StepBuffers().step() : null;
                                try {
                                    io.bsth.tensor.Rng rng = new io.bsth.tensor.Rng(seed + 4);
                                    Var y = fused == 1 ? F.addPositionalEncoding(x, pe, batchFirst, p, training, rng)
                                            : F.dropout(F.addPositionalEncoding(x, pe, batchFirst), p, training, rng);
                                    values[fused] = y.data().clone();
                                    y.backward(r);
                                    next[fused] = rng.nextLong();
                                    grads[fused] = x.grad().clone();
                                } finally {
                                    if (step != null) step.close();
                                }
                            }
                            String what = "d=" + d + " p=" + p + " training=" + training + " batchFirst=" + batchFirst + " pooled=" + pooled;
                            assertArrayEquals(values[0], values[1], "values, " + what);
                            assertArrayEquals(grads[0], grads[1], "gradients, " + what);
                            assertEquals(next[0], next[1], "draws taken, " + what);
                        }
                    }
                }
            }
            seed += 5;
        }
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] q : parts) n += q.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] q : parts) {
            System.arraycopy(q, 0, out, o, q.length);
            o += q.length;
        }
        return out;
    }

    @Test
    void losses() {
        Var a = leaf(15, -1, 1, 3, 6), b = leaf(16, -1, 1, 3, 6);
        check("mse", in -> F.mse(in[0], in[1]), H, ATOL, RTOL, a, b);
    }

    @Test
    void dropoutAndEmbeddingAndSign() {
        Var x = leaf(17, -1, 1, 1000);
        Var y = F.dropout(x, 0.5f, true, new io.bsth.tensor.Rng(3));
        int zeros = 0;
        for (int i = 0; i < 1000; i++) {
            if (y.data()[i] == 0f) zeros++;
            else assertEquals(2 * x.data()[i], y.data()[i], 1e-7f);
        }
        assertTrue(zeros > 400 && zeros < 600, "about half dropped: " + zeros);
        check("dropout", in -> F.dropout(in[0], 0.3f, true, new io.bsth.tensor.Rng(5)), H, ATOL, RTOL, leaf(18, -1, 1, 50));
        assertTrue(F.dropout(x, 0.5f, false, new io.bsth.tensor.Rng(3)) == x, "eval dropout is the identity");

        Var w = leaf(19, -1, 1, 5, 3);
        int[] idx = {1, 0, 4, 1, 0};
        check("embedding", in -> F.embedding(in[0], idx, -1), H, ATOL, RTOL, w);
        Var e = F.embedding(w, idx, 0);
        w.clearGrad();
        F.sum(e).backward();
        assertEquals(0f, w.grad()[0]);
        assertEquals(2f, w.grad()[3]);

        Var s = F.sign(Var.param(new float[] {-2f, 0f, 3f}, 3));
        assertArrayEquals(new float[] {-1f, 0f, 1f}, s.data());
        assertFalse(s.requiresGrad());
    }

    @Test
    void gradientsAccumulateAndNoGradRecordsNothing() {
        Var a = leaf(20, -1, 1, 4);
        Var first = F.sum(F.scale(a, 2f));
        first.backward();
        assertThrows(IllegalStateException.class, first::backward, "a freed graph cannot be back-propagated twice");
        F.sum(F.scale(a, 3f)).backward();
        for (float g : a.grad()) assertEquals(5f, g);
        a.zeroGrad();
        for (float g : a.grad()) assertEquals(0f, g);
        try (var ng = Grad.noGrad()) {
            Var y = F.tanh(a);
            assertFalse(y.requiresGrad());
            assertThrows(IllegalStateException.class, () -> F.sum(y).backward());
        }
        assertTrue(Grad.isEnabled());
        assertTrue(F.tanh(a).requiresGrad());
        Var c = constant(21, -1, 1, 4);
        assertFalse(F.tanh(c).requiresGrad());
    }

    @Test
    void sharedSubgraphGetsBothContributions() {
        Var a = leaf(22, -1, 1, 3, 3);
        check("diamond", in -> {
            Var t = F.tanh(in[0]);
            return F.add(F.mul(t, t), F.matmul(t, t));
        }, H, ATOL, RTOL, a);
        Var y = F.mul(a, a);
        assertThrows(IllegalStateException.class, y::backward, "backward needs a one-element loss");
    }

    @Test
    void shapeErrorsNameTheOp() {
        var ex = assertThrows(IllegalArgumentException.class, () -> F.add(leaf(1, 0, 1, 2, 3), leaf(1, 0, 1, 3, 2)));
        assertTrue(ex.getMessage().startsWith("add:"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> F.matmul(leaf(1, 0, 1, 2, 3), leaf(1, 0, 1, 2, 3)));
        assertTrue(ex.getMessage().startsWith("matmul:"), ex.getMessage());
    }
}
