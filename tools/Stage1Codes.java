import io.bsth.autograd.F;
import io.bsth.autograd.Grad;
import io.bsth.autograd.Var;
import io.bsth.autograd.optim.Adam;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.tensor.Rng;
import io.bsth.train.Losses;

/**
 * Java half of tools/stage1_codes.py: stage 1 as `bsth train` runs it (its generators, dropout 0.5, 100 Adam
 * steps, target codes from eval mode), per seed; prints one line per seed: the last loss terms, the number of
 * zero entries of B = sign(L P), the distinct class codes, and the least and mean Hamming distance between
 * the class codes sign(P_c).
 *
 *   java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/Stage1Codes.java DATA NBIT FIRST_SEED SEEDS
 */
public class Stage1Codes {
    public static void main(String[] a) throws Exception {
        MultiModalData d = DataSources.open(a[0]);
        int nbit = Integer.parseInt(a[1]), first = Integer.parseInt(a[2]), seeds = Integer.parseInt(a[3]);
        Var L = Var.of(d.train().labels().contiguous());
        int C = d.train().classes();
        for (int seed = first; seed < first + seeds; seed++) {
            Rng root = new Rng(seed), rng = root.split();
            LabelPrototypeNet proto = new LabelPrototypeNet(C, nbit, 0.5f, rng);
            proto.seedDropout(rng.split());
            Adam adam = new Adam(proto.namedParameters(), 1e-3);
            proto.train(true);
            double[] v = null;
            for (int e = 0; e < 100; e++) {
                adam.zeroGrad();
                LabelPrototypeNet.Output o = proto.forward(L);
                Losses.Terms t = Losses.stage1(o.prototypes(), o.code(), o.pred(), L);
                t.total().backward();
                adam.step();
                v = t.values();
            }
            proto.eval();
            float[] p, b;
            try (var ng = Grad.noGrad()) {
                p = proto.prototypes().data().clone();
                b = F.matmul(L, proto.prototypes()).data().clone();
            }
            int zeros = 0;
            for (float x : b) if (Math.signum(x) == 0) zeros++;
            System.out.println(line("java", seed, v, zeros, p, C, nbit));
        }
    }

    static String line(String who, int seed, double[] v, int zeros, float[] p, int C, int k) {
        java.util.Set<String> distinct = new java.util.HashSet<>();
        int least = k;
        double sum = 0;
        for (int i = 0; i < C; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < k; j++) s.append(p[i * k + j] > 0 ? '1' : p[i * k + j] < 0 ? '0' : 'z');
            distinct.add(s.toString());
            for (int c = i + 1; c < C; c++) {
                int dist = 0;
                for (int j = 0; j < k; j++) if (Math.signum(p[i * k + j]) != Math.signum(p[c * k + j])) dist++;
                least = Math.min(least, dist);
                sum += dist;
            }
        }
        return String.format(java.util.Locale.ROOT, "%s seed %d loss %.4f quant %.5f proto %.5f zeros %d distinct %d least %d mean %.2f",
                who, seed, v[0], v[2], v[4], zeros, distinct.size(), least, sum / (C * (C - 1) / 2.0));
    }
}
