package io.bsth.tensor;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TensorTest {
    static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) t.data()[i] = i;
        return t;
    }

    @Test
    void viewsShareStorageAndIndexCorrectly() {
        Tensor t = iota(2, 3, 4);
        Tensor p = t.permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
        assertFalse(p.isContiguous());
        Tensor c = p.contiguous();
        assertTrue(c.isContiguous());
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 2; b++)
                for (int d = 0; d < 3; d++) assertEquals(t.get(b, d, a), c.get(a, b, d));
        Tensor n = t.narrow(2, 1, 2);
        assertEquals(t.get(1, 1, 2), n.get(1, 1, 1));
        n.set(-1f, 0, 0, 0);
        assertEquals(-1f, t.get(0, 0, 1), "narrow is a view");
        Tensor tr = t.transpose(0, 2);
        assertEquals(t.get(1, 0, 3), tr.get(3, 0, 1));
    }

    @Test
    void reshapeInfersAndCopiesOnlyWhenNeeded() {
        Tensor t = iota(6, 4);
        Tensor r = t.reshape(2, -1, 4);
        assertSame(t.data(), r.data());
        assertArrayEquals(new int[] {2, 3, 4}, r.shape());
        Tensor tt = t.transpose(0, 1).reshape(24);
        assertNotSame(t.data(), tt.data());
        assertEquals(t.get(5, 0), tt.get(5));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, -1));
    }

    @Test
    void boundsAreChecked() {
        Tensor t = iota(2, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(0, 1, 2));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Tensor.view(new float[4], 1, new int[] {2, 2}, new int[] {2, 1}));
    }
}
