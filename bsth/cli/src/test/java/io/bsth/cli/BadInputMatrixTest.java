package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelConfig;
import io.bsth.model.ModelFile;
import io.bsth.tensor.Rng;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input families (missing, truncated, garbage, mismatched rows, NaN, wrong widths, bad flags,
 * corrupt model) for train, eval, encode, search and index, in this JVM: each must end with exactly one
 * non-empty line on stderr, exit status 2, no stack trace, and nothing in the folder its outputs were
 * to go to. {@code tools/bad_inputs.sh} runs the same families through {@code bin/bsth} (the launcher and a
 * JVM per case).
 */
class BadInputMatrixTest {
    @TempDir
    Path w;

    String p(String name) {
        return w.resolve(name).toString();
    }

    void ok(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
    }

    static byte[] half(byte[] b) {
        return Arrays.copyOf(b, b.length / 2);
    }

    void write(String name, byte[] b) throws IOException {
        Files.write(w.resolve(name), b);
    }

    byte[] read(String name) throws IOException {
        return Files.readAllBytes(w.resolve(name));
    }

    /** A copy of folder d with one file replaced (or removed, for null). */
    void folderWith(String name, String file, byte[] content) throws IOException {
        Path f = w.resolve(name);
        Files.createDirectories(f);
        try (Stream<Path> s = Files.list(w.resolve("d"))) {
            for (Path x : s.toList()) Files.copy(x, f.resolve(x.getFileName()));
        }
        if (content == null) Files.delete(f.resolve(file));
        else Files.write(f.resolve(file), content);
    }

    @Test
    void everyFamilyEndsInOneCleanLine() throws Exception {
        ok("export-data", "--data", "synthetic:train=64,db=120,query=20,image=16,text=32,classes=6,scenes=3", "--out", p("d"));
        ok("export-data", "--data", "synthetic:train=50,db=90,query=20,image=24,text=32,classes=6,scenes=3", "--out", p("wide"));
        String m = p("m.safetensors"), img = p("d/I_te.npy"), txt = p("d/T_te.npy");
        // an untrained model of the data's shape: what matters here is its file, not its codes
        ModelFile.save(w.resolve("m.safetensors"), new BsthNetwork(new ModelConfig(16, 32, 6, 16, 1, 1, 0.5f, 16), new Rng(1)));
        ok("encode", "--model", m, "--image", p("d/I_db.npy"), "--text", p("d/T_db.npy"), "--out", p("db.npy"));
        ok("encode", "--model", m, "--image", img, "--text", txt, "--out", p("q.npy"));
        ok("index", "create", "--nbit", "16", "--index", p("x.bidx"));
        ok("index", "add", "--index", p("x.bidx"), "--codes", p("db.npy"));
        ok("search", "--db-codes", p("db.npy"), "--queries", p("q.npy"), "--k", "1", "--out", p("ids20.npy"));

        Random rnd = new Random(13);
        byte[] junk = new byte[4096];
        rnd.nextBytes(junk);
        write("I_half.npy", half(read("d/I_te.npy")));
        write("m_half.safetensors", half(read("m.safetensors")));
        write("x_half.bidx", half(read("x.bidx")));
        write("db_half.npy", half(read("db.npy")));
        write("junk.npy", junk);
        write("junk.safetensors", junk);
        write("junk.bidx", junk);
        write("junk.mat", junk);
        byte[] nan = read("d/I_te.npy");
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(nan.length - 4, Float.NaN);
        write("I_nan.npy", nan);
        byte[] flip = read("m.safetensors");
        ByteBuffer.wrap(flip).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Integer.MAX_VALUE);
        write("m_flip.safetensors", flip);
        byte[] body = read("m.safetensors");
        for (int i = 40; i < 104; i++) body[i] = (byte) rnd.nextInt();
        write("m_body.safetensors", body);
        folderWith("d_trunc", "I_tr.npy", read("I_half.npy"));
        folderWith("d_nan", "I_tr.npy", read("I_nan.npy"));
        folderWith("d_rows", "L_tr.npy", read("wide/L_tr.npy"));
        folderWith("d_junk", "T_db.npy", junk);
        folderWith("d_missing", "L_te.npy", null);
        write("ids_bad.npy", "\u0093NUMPY\u0001\u0000v\u0000{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        String o = "@O/";
        String[] tr = {"--nbit", "16", "--epochs", "1", "--epochs-pre", "2", "--batch", "32", "--save", o + "m.safetensors", "--report", o + "r.json"};
        List<String[]> cases = new ArrayList<>();
        // missing
        cases.add(cat(new String[] {"train", "--data", p("none")}, tr));
        cases.add(cat(new String[] {"train", "--data", p("d_missing")}, tr));
        cases.add(new String[] {"eval", "--model", p("none.safetensors"), "--data", p("d"), "--report", o + "r.json"});
        cases.add(new String[] {"encode", "--model", m, "--image", p("none.npy"), "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"search", "--db-codes", p("none.npy"), "--queries", p("q.npy"), "--out", o + "o.npy"});
        cases.add(new String[] {"index", "search", "--index", p("none.bidx"), "--codes", p("q.npy"), "--k", "5", "--out", o + "o.npy"});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--codes", p("none.npy")});
        // truncated
        cases.add(cat(new String[] {"train", "--data", p("d_trunc")}, tr));
        cases.add(new String[] {"eval", "--model", p("m_half.safetensors"), "--data", p("d"), "--report", o + "r.json"});
        cases.add(new String[] {"encode", "--model", m, "--image", p("I_half.npy"), "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"search", "--db-codes", p("db_half.npy"), "--queries", p("q.npy"), "--out", o + "o.npy"});
        cases.add(new String[] {"index", "info", "--index", p("x_half.bidx")});
        cases.add(new String[] {"index", "search", "--index", p("x_half.bidx"), "--codes", p("q.npy"), "--k", "5", "--out", o + "o.npy"});
        // garbage
        cases.add(cat(new String[] {"train", "--data", p("d_junk")}, tr));
        cases.add(cat(new String[] {"train", "--data", p("junk.mat")}, tr));
        cases.add(new String[] {"eval", "--model", p("junk.safetensors"), "--data", p("d")});
        cases.add(new String[] {"encode", "--model", m, "--image", p("junk.npy"), "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"search", "--db-codes", p("db.npy"), "--queries", p("junk.npy"), "--out", o + "o.npy"});
        cases.add(new String[] {"index", "info", "--index", p("junk.bidx")});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--codes", p("q.npy"), "--ids", p("ids_bad.npy")});
        // mismatched rows
        cases.add(cat(new String[] {"train", "--data", p("d_rows")}, tr));
        cases.add(new String[] {"encode", "--model", m, "--image", img, "--text", p("d/T_db.npy"), "--out", o + "c.npy"});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--codes", p("db.npy"), "--ids", p("ids20.npy")});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--codes", p("q.npy"), "--ids", p("d/L_tr.npy")});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--model", m, "--image", img, "--text", p("d/T_db.npy")});
        // NaN
        cases.add(cat(new String[] {"train", "--data", p("d_nan")}, tr));
        cases.add(new String[] {"encode", "--model", m, "--image", p("I_nan.npy"), "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--model", m, "--image", p("I_nan.npy"), "--text", txt});
        cases.add(new String[] {"index", "search", "--index", p("x.bidx"), "--model", m, "--image", p("I_nan.npy"), "--text", txt, "--k", "5", "--out", o + "o.npy"});
        // wrong widths
        cases.add(new String[] {"eval", "--model", m, "--data", p("wide"), "--report", o + "r.json"});
        cases.add(new String[] {"encode", "--model", m, "--image", p("wide/I_te.npy"), "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"search", "--db-codes", p("db.npy"), "--queries", img, "--out", o + "o.npy"});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--codes", img});
        cases.add(new String[] {"index", "search", "--index", p("x.bidx"), "--model", m, "--image", p("wide/I_te.npy"), "--k", "5", "--out", o + "o.npy"});
        // bad flags
        cases.add(new String[] {"train", "--data", p("d"), "--nbit", "0", "--save", o + "m.safetensors"});
        cases.add(new String[] {"train", "--data", p("d"), "--threads", "0", "--save", o + "m.safetensors"});
        cases.add(new String[] {"train", "--data", p("d"), "--frobnicate", "3"});
        cases.add(new String[] {"train", "--data", p("d"), "--epochs", "many"});
        cases.add(new String[] {"train", "--data", p("d"), "--dropout", "1.5"});
        cases.add(new String[] {"train", "--data", p("d"), "--epochs", "1", "--epochs-pre", "1", "--save", p("no/such/dir/m.safetensors")});
        cases.add(new String[] {"eval", "--model", m, "--data", p("d"), "--modality", "sound"});
        cases.add(new String[] {"eval", "--model", m, "--data", p("d"), "--report", p("no/such/dir/r.json")});
        cases.add(new String[] {"encode", "--model", m, "--image", img, "--text", txt});
        cases.add(new String[] {"encode", "--model", m, "--image", img, "--text", txt, "--out", p("d")});
        cases.add(new String[] {"search", "--db-codes", p("db.npy"), "--queries", p("q.npy"), "--k", "0", "--out", o + "o.npy"});
        cases.add(new String[] {"search", "--db-codes", p("db.npy"), "--queries", p("q.npy"), "--k", "100000", "--out", o + "o.npy"});
        cases.add(new String[] {"index", "search", "--index", p("x.bidx"), "--codes", p("q.npy"), "--k", "-1", "--out", o + "o.npy"});
        cases.add(new String[] {"index", "create", "--nbit", "0", "--index", o + "y.bidx"});
        cases.add(new String[] {"index", "create", "--nbit", "16", "--index", p("x.bidx")});
        cases.add(new String[] {"index", "frob", "--index", p("x.bidx")});
        cases.add(new String[] {"frobnicate"});
        // corrupt model
        cases.add(new String[] {"eval", "--model", p("m_flip.safetensors"), "--data", p("d")});
        cases.add(new String[] {"eval", "--model", p("m_body.safetensors"), "--data", p("d")});
        cases.add(new String[] {"encode", "--model", p("m_flip.safetensors"), "--image", img, "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"encode", "--model", p("m_half.safetensors"), "--image", img, "--text", txt, "--out", o + "c.npy"});
        cases.add(new String[] {"index", "add", "--index", p("x.bidx"), "--model", p("m_body.safetensors"), "--image", img, "--text", txt});
        cases.add(new String[] {"eval", "--model", img, "--data", p("d")});

        long indexBytes = Files.size(w.resolve("x.bidx"));
        List<String> failures = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            Path out = Files.createDirectories(w.resolve("out" + c));
            String[] args = Arrays.stream(cases.get(c)).map(a -> a.replace("@O", out.toString())).toArray(String[]::new);
            CliRun r = CliRun.run(args);
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            String why = (r.status() != 2 ? " exit " + r.status() : "") + (lines.size() != 1 ? " " + lines.size() + " lines" : "")
                    + (r.err().contains("Exception") || r.err().contains("\tat ") ? " a stack trace" : "");
            try (Stream<Path> s = Files.list(out)) {
                List<Path> left = s.toList();
                if (!left.isEmpty()) why += " left behind " + left;
            }
            if (!why.isEmpty()) failures.add(String.join(" ", args) + ":" + why + ": " + r.err());
        }
        assertEquals(List.of(), failures);
        assertEquals(indexBytes, Files.size(w.resolve("x.bidx")), "no failed add wrote to the index");
        assertTrue(cases.size() == 57, "cases: " + cases.size());
    }

    static String[] cat(String[] a, String[] b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
