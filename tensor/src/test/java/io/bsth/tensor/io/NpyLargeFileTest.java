package io.bsth.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .npy files past 2 GiB (NUS-WIDE's database image features are 193,749 x 4096 float32, 3.2 GB), tested on
 * a sparse file: the header and a few rows are real, the rest is a hole, so the test needs neither the
 * disk space nor the memory.
 */
class NpyLargeFileTest {
    @TempDir
    Path tmp;

    @Test
    void rowsPastTwoGibibytesAreRead() throws IOException {
        int rows = 200_000, cols = 4096;
        Path f = tmp.resolve("big.npy");
        byte[] header = Npy.header("<f4", rows, cols);
        long size = header.length + (long) rows * cols * 4;
        assertTrue(size > (3L << 30));
        float[] last = new float[2 * cols];
        for (int i = 0; i < last.length; i++) last[i] = i * 0.5f - 7;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(header);
            raf.setLength(size);
            ByteBuffer b = ByteBuffer.allocate(last.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(last);
            raf.seek(header.length + (long) (rows - 2) * cols * 4);
            raf.write(b.array());
        }
        try (Npy.Rows r = Npy.Rows.open(f)) {
            assertEquals(rows, r.rows());
            assertEquals(cols, r.cols());
            float[] got = new float[3 * cols];
            r.read(rows - 3, 3, got, 0);
            for (int i = 0; i < cols; i++) assertEquals(0f, got[i]);
            float[] tail = java.util.Arrays.copyOfRange(got, cols, 3 * cols);
            assertArrayEquals(last, tail);
            assertThrows(IllegalArgumentException.class, () -> r.read(rows - 1, 2, got, 0));
        }
        // the same header in a file one byte short is refused before anything is allocated
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size - 1);
        }
        IOException e = assertThrows(IOException.class, () -> Npy.Rows.open(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(assertThrows(IOException.class, () -> Npy.readFloats(f)).getMessage().contains("truncated"));
    }

    @Test
    void streamedWriteReadsBack() throws IOException {
        Path f = tmp.resolve("w.npy");
        float[] a = new float[((1 << 18) + 3) * 7];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
        Npy.writeFloats(f, a, a.length / 7, 7);
        Npy.Floats r = Npy.readFloats(f);
        assertEquals(a.length / 7, r.rows());
        assertArrayEquals(a, r.data());
        assertEquals(2, r.ndim());
    }
}
