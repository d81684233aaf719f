package io.bsth.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bsth.tensor.Tensor;
import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
    @TempDir
    Path tmp;

    static Path fixture() throws URISyntaxException {
        return Path.of(DataSourcesTest.class.getResource("tiny_v73.mat").toURI());
    }

    @Test
    void matFileIsReadTransposedAsTheAuthorsDo() throws Exception {
        MultiModalData d = DataSources.open(fixture().toString());
        int[] n = {6, 10, 4};
        double[] base = {100, 200, 300};
        Split[] s = d.splits();
        for (int k = 0; k < 3; k++) {
            assertEquals(n[k], s[k].size());
            assertEquals(5, s[k].imageDim());
            assertEquals(3, s[k].textDim());
            assertEquals(4, s[k].classes());
            for (int i = 0; i < n[k]; i++) {
                for (int j = 0; j < 5; j++) assertEquals(base[k] + i + j / 100.0, s[k].image().get(i, j), 1e-4);
                for (int j = 0; j < 3; j++) assertEquals((i + 2 * j) % 3 == 0 ? 1f : 0f, s[k].text().get(i, j));
                for (int c = 0; c < 4; c++) {
                    boolean on = c == i % 4 || c == (3 * i + 1) % 4;
                    assertEquals(on ? 1f : 0f, s[k].labels().get(i, c), "L row " + i + " col " + c);
                }
            }
        }
    }

    /** The arrays of tiny_v73.mat, read from {@code name}, equal that file's; labels compared as given. */
    private static void sameAsMatFixture(MultiModalData d) throws Exception {
        MultiModalData m = DataSources.open(fixture().toString());
        for (int k = 0; k < 3; k++) {
            assertTrue(Arrays.equals(m.splits()[k].image().toArray(), d.splits()[k].image().toArray()), "image " + k);
            assertTrue(Arrays.equals(m.splits()[k].text().toArray(), d.splits()[k].text().toArray()), "text " + k);
        }
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(DataSourcesTest.class.getResource(name).toURI());
    }

    @Test
    void plainHdf5IsReadAsWrittenAndMatlabIsRecognisedByItsHeader() throws Exception {
        assertTrue(MatFile.isMatlab(fixture()));
        assertTrue(!MatFile.isMatlab(resource("tiny_h5py.h5")));
        MultiModalData d = DataSources.open(resource("tiny_h5py.h5").toString());
        sameAsMatFixture(d);
        MultiModalData m = DataSources.open(fixture().toString());
        for (int k = 0; k < 3; k++) assertTrue(Arrays.equals(m.splits()[k].labels().toArray(), d.splits()[k].labels().toArray()));
    }

    @Test
    void npzArchivesStoredAndCompressedWithClassIdLabels() throws Exception {
        MultiModalData d = DataSources.open(resource("tiny.npz").toString());
        sameAsMatFixture(d);
        assertEquals(4, d.classes());
        MultiModalData ids = DataSources.open(resource("tiny_ids.npz").toString());
        sameAsMatFixture(ids);
        assertEquals(4, ids.classes());
        assertTrue(ids.summary().contains("class ids") && ids.summary().contains("one-hot over 4 classes"), ids.summary());
        int[] n = {6, 10, 4};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < n[k]; i++) {
                for (int c = 0; c < 4; c++) assertEquals(c == i % 4 ? 1f : 0f, ids.splits()[k].labels().get(i, c));
            }
        }
    }

    @Test
    void classIdsMustBeNonNegativeIntegersInEverySplit() throws Exception {
        MultiModalData d = DataSources.open("synthetic:train=20,db=50,query=10,image=16,text=120,classes=6");
        d.writeNpy(tmp);
        // a label vector in one split only: named, not guessed
        writeVector(tmp.resolve("L_tr.npy"), new float[20]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(e.getMessage().contains("L_db.npy"), e.getMessage());
        float[] tr = new float[20], db = new float[50], te = new float[10];
        for (int i = 0; i < 50; i++) db[i] = i % 3;
        tr[3] = 2;
        writeVector(tmp.resolve("L_db.npy"), db);
        writeVector(tmp.resolve("L_te.npy"), te);
        assertEquals(3, DataSources.open(tmp.toString()).classes());
        te[7] = 1.5f;
        writeVector(tmp.resolve("L_te.npy"), te);
        e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(e.getMessage().contains("L_te.npy") && e.getMessage().contains("1.5"), e.getMessage());
    }

    /** A 1-D float32 .npy of {@code v}. */
    static void writeVector(Path f, float[] v) throws IOException {
        byte[] h = Npy.header("<f4", v.length, 1);
        String text = new String(h, java.nio.charset.StandardCharsets.ISO_8859_1).replace("(" + v.length + ", 1)", "(" + v.length + ",)  ");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        try (var out = Files.newOutputStream(f)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(b.array());
        }
    }

    @Test
    void npyFolderRoundTripsThroughWriteNpy() throws Exception {
        MultiModalData d = DataSources.open("synthetic:train=20,db=50,query=10,image=16,text=120,classes=6");
        d.writeNpy(tmp);
        MultiModalData back = DataSources.open(tmp.toString());
        for (int k = 0; k < 3; k++) {
            Split a = d.splits()[k], b = back.splits()[k];
            assertTrue(Arrays.equals(a.image().toArray(), b.image().toArray()));
            assertTrue(Arrays.equals(a.text().toArray(), b.text().toArray()));
            assertTrue(Arrays.equals(a.labels().toArray(), b.labels().toArray()));
        }
    }

    @Test
    void syntheticIsSeededShapedAndMultiLabel() throws Exception {
        String spec = "synthetic:train=100,db=300,query=50,image=32,text=200,classes=12,seed=7";
        MultiModalData a = DataSources.open(spec), b = DataSources.open(spec);
        MultiModalData c = DataSources.open(spec.replace("seed=7", "seed=8"));
        assertTrue(Arrays.equals(a.database().image().toArray(), b.database().image().toArray()));
        assertNotEquals(Arrays.hashCode(a.database().image().toArray()), Arrays.hashCode(c.database().image().toArray()));
        assertEquals(100, a.train().size());
        assertEquals(300, a.database().size());
        assertEquals(50, a.query().size());
        assertEquals(32, a.imageDim());
        assertEquals(200, a.textDim());
        assertEquals(12, a.classes());
        float[] L = a.database().labels().toArray();
        int items = 300, total = 0, multi = 0;
        for (int i = 0; i < items; i++) {
            int cnt = 0;
            for (int k = 0; k < 12; k++) cnt += (int) L[i * 12 + k];
            assertTrue(cnt >= 1, "every item has a label");
            total += cnt;
            if (cnt > 1) multi++;
        }
        assertTrue(multi > items / 3, "labels co-occur: " + multi + " of " + items + " items have several");
        assertTrue(total < items * 12 / 2, "labels are sparse");
        // The training items are rows of the database.
        float[] tr = a.train().image().toArray(), db = a.database().image().toArray();
        float[] row0 = Arrays.copyOf(tr, 32);
        boolean found = false;
        for (int i = 0; i < items && !found; i++) found = Arrays.equals(row0, Arrays.copyOfRange(db, i * 32, i * 32 + 32));
        assertTrue(found);
        // The text view is a sparse binary bag of words.
        for (float v : a.train().text().toArray()) assertTrue(v == 0f || v == 1f);
    }

    @Test
    void fashionMnistHasTwoHalvesAndOneHotLabels() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "no Fashion-MNIST installed");
        MultiModalData d = DataSources.open("fashion-mnist:train=50,db=200,query=30");
        assertEquals(50, d.train().size());
        assertEquals(200, d.database().size());
        assertEquals(30, d.query().size());
        assertEquals(392, d.imageDim());
        assertEquals(392, d.textDim());
        assertEquals(10, d.classes());
        float[] L = d.query().labels().toArray();
        for (int i = 0; i < 30; i++) {
            float s = 0;
            for (int k = 0; k < 10; k++) s += L[i * 10 + k];
            assertEquals(1f, s);
        }
    }

    @Test
    void fashionMnistInAMissingFolderNamesIt() {
        IOException e = assertThrows(IOException.class, () -> DataSources.open("fashion-mnist:" + tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    private void writeGood(Path dir) throws IOException {
        DataSources.open("synthetic:train=5,db=8,query=3,image=4,text=12,classes=3").writeNpy(dir);
    }

    @Test
    void badNpyInputsGetOneLineNamingTheFile() throws Exception {
        writeGood(tmp);
        Npy.writeFloats(tmp.resolve("L_db.npy"), new float[] {0, 1, 2, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1}, 8, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(e.getMessage().contains("L_db.npy") && e.getMessage().contains("0 or 1"), e.getMessage());

        writeGood(tmp);
        float[] img = new float[8 * 4];
        img[13] = Float.NaN;
        Npy.writeFloats(tmp.resolve("I_db.npy"), img, 8, 4);
        e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(e.getMessage().contains("I_db.npy") && e.getMessage().contains("NaN"), e.getMessage());

        writeGood(tmp);
        Npy.writeFloats(tmp.resolve("T_te.npy"), new float[4 * 12], 4, 12);
        e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(e.getMessage().contains("T_te.npy") && e.getMessage().contains("rows"), e.getMessage());

        writeGood(tmp);
        Npy.writeFloats(tmp.resolve("I_te.npy"), new float[3 * 5], 3, 5);
        e = assertThrows(IllegalArgumentException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(e.getMessage().contains("I_te.npy") && e.getMessage().contains("columns"), e.getMessage());

        writeGood(tmp);
        Files.delete(tmp.resolve("T_tr.npy"));
        IOException io = assertThrows(IOException.class, () -> DataSources.open(tmp.toString()));
        assertTrue(io.getMessage().contains("T_tr.npy"), io.getMessage());
    }

    @Test
    void badSpecsAndFilesAreNamed() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSources.open("synthetic:colour=red"));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataSources.open("synthetic:train=x"));
        assertTrue(e.getMessage().contains("train"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataSources.open("synthetic:train=50,db=10"));
        assertTrue(e.getMessage().contains("db"), e.getMessage());
        IOException io = assertThrows(IOException.class, () -> DataSources.open(tmp.resolve("missing.mat").toString()));
        assertTrue(io.getMessage().contains("missing.mat"), io.getMessage());
        Path notMat = tmp.resolve("bad.mat");
        Files.writeString(notMat, "not hdf5 at all");
        io = assertThrows(IOException.class, () -> DataSources.open(notMat.toString()));
        assertTrue(io.getMessage().contains("bad.mat"), io.getMessage());
    }

    @Test
    void gatherCopiesRows() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor g = Split.gather(m, new int[] {2, 0});
        assertTrue(Arrays.equals(new float[] {5, 6, 1, 2}, g.toArray()));
    }
}
