package io.bsth.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** A caller-owned pool: bound per call and per thread, sized by its owner, safe when two callers share it. */
class WorkersTest {
    @Test
    void bindingIsPerCallAndPerThread() throws Exception {
        assertNull(Workers.current());
        try (Workers w = new Workers(3)) {
            assertSame(w, w.call(Workers::current));
            assertEquals(3, (int) w.call(Parallel::threads));
            Thread other = Thread.ofPlatform().start(() -> w.run(() -> assertSame(w, Workers.current())));
            other.join();
            w.run(() -> {
                Thread t = Thread.ofPlatform().unstarted(() -> assertNull(Workers.current()));
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertNull(Workers.current());
        try (Workers one = new Workers(1)) {
            assertEquals(1, (int) one.call(Parallel::threads));
        }
    }

    @Test
    void twoCallersShareOnePoolAndEveryTaskRunsOnce() throws Exception {
        try (Workers w = new Workers(2)) {
            int n = 20_000;
            AtomicIntegerArray a = new AtomicIntegerArray(n), b = new AtomicIntegerArray(n);
            CountDownLatch start = new CountDownLatch(1);
            Thread t1 = Thread.ofPlatform().start(() -> w.run(() -> {
                await(start);
                for (int r = 0; r < 50; r++) {
                    int base = r0(r, n);
                    Parallel.forEach(n / 50, i -> a.incrementAndGet(base + i));
                }
            }));
            Thread t2 = Thread.ofPlatform().start(() -> w.run(() -> {
                await(start);
                for (int r = 0; r < 50; r++) {
                    int base = r0(r, n);
                    Parallel.forEach(n / 50, i -> b.incrementAndGet(base + i));
                }
            }));
            start.countDown();
            t1.join();
            t2.join();
            for (int i = 0; i < n; i++) {
                assertEquals(1, a.get(i), "a " + i);
                assertEquals(1, b.get(i), "b " + i);
            }
        }
    }

    private static int r0(int r, int n) {
        return r * (n / 50);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
