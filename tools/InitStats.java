import io.bsth.autograd.nn.Module;
import io.bsth.model.BsthNetwork;
import io.bsth.model.LabelPrototypeNet;
import io.bsth.model.ModelConfig;
import io.bsth.tensor.Rng;
import io.bsth.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Java half of tools/init_stats.py: per-tensor statistics of freshly initialised networks, one line per
 * tensor (name, count, mean, std, min, max), for the stage-2 network (prefix "bsth.") and the stage-1 label
 * prototype network (prefix "proto."), plus one line per pair of encoder layers that start identical.
 *
 *   java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/InitStats.java IMAGE_DIM TEXT_DIM CLASSES NBIT SEED
 */
public class InitStats {
    public static void main(String[] a) {
        int image = Integer.parseInt(a[0]), text = Integer.parseInt(a[1]), classes = Integer.parseInt(a[2]), nbit = Integer.parseInt(a[3]);
        Rng root = new Rng(Long.parseLong(a[4]));
        Rng stage1 = root.split(), stage2 = root.split();
        BsthNetwork net = new BsthNetwork(new ModelConfig(image, text, classes, nbit, 1, 2, 0.5f), stage2);
        LabelPrototypeNet proto = new LabelPrototypeNet(classes, nbit, 0.5f, stage1);
        print("bsth.", net);
        print("proto.", proto);
        for (String enc : new String[] {"imageTransformerEncoder", "textTransformerEncoder"}) {
            Map<String, Tensor> s = net.stateDict();
            boolean same = true;
            for (var e : s.entrySet()) {
                String k = e.getKey();
                if (!k.startsWith(enc + ".layers.0.")) continue;
                Tensor other = s.get(k.replace(".layers.0.", ".layers.1."));
                same &= Arrays.equals(e.getValue().toArray(), other.toArray());
            }
            System.out.println("clone\tbsth." + enc + "\t" + same);
        }
    }

    static void print(String prefix, Module m) {
        for (var e : m.stateDict().entrySet()) {
            float[] v = e.getValue().toArray();
            double sum = 0, sq = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (float x : v) {
                sum += x;
                sq += (double) x * x;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            double mean = sum / v.length, sd = Math.sqrt(Math.max(0, sq / v.length - mean * mean));
            System.out.printf(java.util.Locale.ROOT, "%s%s\t%d\t%.6g\t%.6g\t%.6g\t%.6g%n", prefix, e.getKey(), v.length, mean, sd, lo, hi);
        }
    }
}
