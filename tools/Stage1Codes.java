import io.bsth.autograd.Grad;
import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import io.bsth.tensor.Rng;
import io.bsth.train.Progress;
import io.bsth.train.TrainConfig;
import io.bsth.train.Trainer;
import java.util.ArrayList;
import java.util.List;

/**
 * Java half of tools/stage1_codes.py: stage 1 as `bsth train` runs it (Trainer.stage1 with its generators, dropout 0.5, 100 Adam
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
        int C = d.train().classes();
        for (int seed = first; seed < first + seeds; seed++) {
            TrainConfig cfg = new TrainConfig(nbit, 0, 100, 1024, 1e-3f, seed, 1, 2, 0.5f, 0.01f);
            List<double[]> history = new ArrayList<>();
            Trainer.Stage1 s1 = new Trainer(cfg, Progress.quiet()).stage1(d.train().labels(), new Rng(seed).split(), history);
            double[] v = history.get(history.size() - 1);
            float[] p, b = s1.targetCodes();
            try (var ng = Grad.noGrad()) {
                p = s1.net().prototypes().data().clone();
            }
            int zeros = 0;
            for (float x : b) if (x == 0) zeros++;
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
