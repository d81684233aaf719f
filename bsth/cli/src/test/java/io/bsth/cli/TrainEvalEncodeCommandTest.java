package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainEvalEncodeCommandTest {
    static final String DATA = "synthetic:train=64,db=120,query=20,image=16,text=96,classes=6,scenes=3";

    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    /** train -> --save -> eval -> encode on the file sources: the MATLAB v7.3 fixture and a nine-.npy folder. */
    @Test
    void fileSourcesTrainSaveEvalAndEncode() throws Exception {
        Path mat = Path.of(TrainEvalEncodeCommandTest.class.getResource("/io/bsth/data/tiny_v73.mat").toURI());
        Path folder = tmp.resolve("folder");
        assertEquals(0, run("export-data", "--data", DATA, "--out", folder.toString()).status());
        for (Path source : List.of(mat, folder)) {
            String name = source.getFileName().toString();
            Path model = tmp.resolve(name + ".safetensors"), tr = tmp.resolve(name + ".train.json"), ev = tmp.resolve(name + ".eval.json");
            CliRun t = run("train", "--data", source.toString(), "--nbit", "16", "--epochs", "2", "--epochs-pre", "3",
                    "--batch", "8", "--save", model.toString(), "--report", tr.toString());
            assertEquals(0, t.status(), name + ": " + t.err());
            CliRun e = run("eval", "--model", model.toString(), "--data", source.toString(), "--report", ev.toString());
            assertEquals(0, e.status(), name + ": " + e.err());
            double trained = ((Number) Json.parseObject(Files.readString(tr)).get("map_all")).doubleValue();
            assertEquals(trained, ((Number) Json.parseObject(Files.readString(ev)).get("map_all")).doubleValue(), 1e-12, name);

            Path arrays = source.equals(folder) ? folder : tmp.resolve("mat-arrays");
            if (!source.equals(folder)) assertEquals(0, run("export-data", "--data", mat.toString(), "--out", arrays.toString()).status());
            Path codes = tmp.resolve(name + ".codes.npy");
            CliRun c = run("encode", "--model", model.toString(), "--image", arrays.resolve("I_te.npy").toString(),
                    "--text", arrays.resolve("T_te.npy").toString(), "--out", codes.toString());
            assertEquals(0, c.status(), name + ": " + c.err());
            Npy.Bytes b = Npy.readBytes(codes);
            assertEquals(Npy.readFloats(arrays.resolve("L_te.npy")).rows(), b.rows(), name);
            assertEquals(16, b.cols(), name);
            for (byte v : b.data()) assertTrue(v == 1 || v == -1, name);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainSavesAModelThatEvalAndEncodeUse() throws Exception {
        Path model = tmp.resolve("m.safetensors"), report = tmp.resolve("r.json"), plots = tmp.resolve("plots");
        CliRun t = run("train", "--data", DATA, "--nbit", "8", "--epochs", "2", "--epochs-pre", "5", "--batch", "32",
                "--threads", "2", "--save", model.toString(), "--report", report.toString(), "--plots", plots.toString());
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().contains("mAP@All"), t.out());
        assertTrue(t.err().contains("stage 2 epoch 2/2"), t.err());
        Map<String, Object> r = Json.parseObject(Files.readString(report));
        double map = ((Number) r.get("map_all")).doubleValue();
        assertTrue(map > 0 && map <= 1);
        for (String key : List.of("stage1_seconds", "encode_seconds")) assertTrue(((Number) r.get(key)).doubleValue() >= 0, key);
        assertEquals(2, ((List<?>) r.get("epoch_seconds")).size());
        for (String depth : List.of("50", "100", "500", "1000")) {
            assertTrue(((Map<String, Object>) r.get("p_at")).containsKey(depth));
            assertTrue(((Map<String, Object>) r.get("map_at")).containsKey(depth));
        }
        for (String svg : List.of("loss_stage1.svg", "loss_stage2.svg", "pr_curve.svg", "topk_precision.svg")) {
            assertTrue(Files.readString(plots.resolve(svg)).contains("<polyline"), svg);
        }

        Path evalReport = tmp.resolve("e.json");
        CliRun e = run("eval", "--model", model.toString(), "--data", DATA, "--threads", "1", "--report", evalReport.toString());
        assertEquals(0, e.status(), e.err());
        assertEquals(map, ((Number) Json.parseObject(Files.readString(evalReport)).get("map_all")).doubleValue(), 1e-12,
                "eval of the saved model reproduces train's evaluation");

        Path dir = tmp.resolve("npy");
        assertEquals(0, run("export-data", "--data", DATA, "--out", dir.toString()).status());
        Path codes = tmp.resolve("c.npy"), real = tmp.resolve("h.npy");
        CliRun c = run("encode", "--model", model.toString(), "--image", dir.resolve("I_te.npy").toString(),
                "--text", dir.resolve("T_te.npy").toString(), "--out", codes.toString());
        assertEquals(0, c.status(), c.err());
        assertEquals(0, run("encode", "--model", model.toString(), "--image", dir.resolve("I_te.npy").toString(),
                "--text", dir.resolve("T_te.npy").toString(), "--out", real.toString(), "--real").status());
        Npy.Bytes b = Npy.readBytes(codes);
        Npy.Floats h = Npy.readFloats(real);
        assertEquals(20, b.rows());
        assertEquals(8, b.cols());
        assertEquals(8, h.cols());
        for (int i = 0; i < b.data().length; i++) {
            assertTrue(b.data()[i] == 1 || b.data()[i] == -1);
            assertEquals(h.data()[i] > 0 ? 1 : -1, b.data()[i]);
            assertTrue(h.data()[i] > -1 && h.data()[i] < 1);
        }
    }

    @Test
    void badInputsGetOneLineAndStatusTwo() throws Exception {
        CliRun r = run("train", "--data", "synthetic:bogus=1", "--epochs", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("bogus") && r.err().lines().count() == 1, r.err());
        r = run("train", "--data", tmp.resolve("nothing").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("nothing"), r.err());
        r = run("train", "--nbit", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--nbit"), r.err());
        r = run("train", "--resume");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--checkpoint"), r.err());
        Path junk = tmp.resolve("junk.safetensors");
        Files.writeString(junk, "not a model");
        r = run("eval", "--model", junk.toString(), "--data", DATA);
        assertEquals(2, r.status());
        assertTrue(r.err().contains("junk.safetensors"), r.err());
        Path out = tmp.resolve("never.npy");
        r = run("encode", "--model", junk.toString(), "--image", "a.npy", "--text", "b.npy", "--out", out.toString());
        assertEquals(2, r.status());
        assertFalse(Files.exists(out));
    }

    @Test
    void badFlagValuesReadAsOnePlainSentence() {
        for (String[] args : new String[][] {
                {"train", "--threads", "0"}, {"metrics", "--threads", "-3"}, {"train", "--threads", "two"},
                {"train", "--nbit", "x"}, {"train", "--preset", "imagenet"}, {"train", "--concept-dim", "7"},
                {"train", "--nhead", "3"}, {"train", "--dropout", "1.5"}, {"train", "--lr", "-1"}}) {
            CliRun r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(r.err().contains("Could not invoke") || r.err().contains("Exception"), r.err());
            assertTrue(r.err().contains(args[1]), r.err());
        }
    }

    @Test
    void presetFillsWhatTheFlagsLeaveUnset() {
        TrainCommand t = parse("--preset", "nuswide");
        assertEquals(new io.bsth.train.TrainConfig(64, 140, 100, 1024, 1e-3f, 2021, 1, 2, 0.5f, 0.0001f, 128), t.config());
        t = parse("--preset", "FLICKR", "--concept-dim", "64", "--epochs", "3", "--dropout", "0.1");
        var c = t.config();
        assertEquals(64, c.conceptDim());
        assertEquals(3, c.epochs());
        assertEquals(0.1f, c.dropout());
        assertEquals(0.01f, c.signWeight());
        assertEquals(256, parse("--preset", "flickr").config().conceptDim());
        assertEquals(io.bsth.train.TrainConfig.DEFAULT, parse().config());
        String help = run("train", "--help").out();
        for (String p : new String[] {"--preset", "flickr:", "nuswide:", "coco:", "--concept-dim"}) assertTrue(help.contains(p), help);
    }

    private static TrainCommand parse(String... args) {
        TrainCommand t = new TrainCommand();
        new picocli.CommandLine(t).parseArgs(args);
        return t;
    }

    @Test
    void conceptWidthIsSavedAndReadBackFromTheShapes() throws Exception {
        Path model = tmp.resolve("w32.safetensors");
        CliRun r = run("train", "--data", DATA, "--nbit", "8", "--epochs", "1", "--epochs-pre", "2", "--batch", "32",
                "--concept-dim", "32", "--nhead", "2", "--save", model.toString());
        assertEquals(0, r.status(), r.err());
        var c = io.bsth.autograd.state.SafeTensors.read(model);
        assertTrue(c.metadata().get("config").contains("\"concept_dim\":32"), c.metadata().get("config"));
        var loaded = io.bsth.model.ModelFile.load(model, 1);
        assertEquals(32, loaded.config.conceptDim());
        assertEquals(2, loaded.config.nhead());
        assertEquals(8 * 16, c.tensors().get("hash.0.weight").size(0), "hash hidden = width / 2 per bit");
        // without metadata the width comes from the tensor shapes alone
        Path bare = tmp.resolve("bare.safetensors");
        io.bsth.autograd.state.SafeTensors.write(bare, c.tensors(), java.util.Set.of(), null);
        assertEquals(32, io.bsth.model.ModelFile.load(bare, 2).config.conceptDim());
        r = run("eval", "--model", model.toString(), "--data", DATA);
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void everyOutputIsCheckedBeforeStageOne() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        String[][] bad = {
            {"--save", tmp.resolve("no/such/dir/m.safetensors").toString()},
            {"--report", tmp.resolve("missing/r.json").toString()},
            {"--report", tmp.toString()},
            {"--plots", file.resolve("plots").toString()},
            {"--checkpoint", file.toString()}};
        for (String[] flag : bad) {
            CliRun r = run("train", "--data", DATA, "--nbit", "8", "--epochs", "1", "--epochs-pre", "2", flag[0], flag[1]);
            assertEquals(2, r.status(), String.join(" ", flag));
            assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r.err());
            assertTrue(r.err().contains(flag[0]) && !r.err().contains("stage 1"), r.err());
        }
    }

    @Test
    void outOfMemoryIsOneLineNamingTheHeapAndTheFix() {
        String line = Main.outOfMemory(3L << 30, true);
        assertTrue(line.contains("3.0 GiB") && line.contains("BSTH_JAVA_OPTS=-Xmx6g") && line.contains("--checkpoint") && !line.contains("\n"), line);
        line = Main.outOfMemory(1L << 29, false);
        assertTrue(line.contains("limited to 512 MiB;") && line.contains("BSTH_JAVA_OPTS=-Xmx2g") && !line.contains("--batch") && !line.contains("--checkpoint"), line);
    }
}
