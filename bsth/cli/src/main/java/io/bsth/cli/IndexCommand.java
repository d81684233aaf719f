package io.bsth.cli;

import io.bsth.model.BsthNetwork;
import io.bsth.model.ModelFile;
import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.Parallel;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Json;
import io.bsth.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bsth index}: a persistent, crash-safe code index with external int64 ids. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "A persistent, crash-safe index of codes with int64 ids: create, add, delete, search, info, compact.",
        subcommands = {IndexCommand.Create.class, IndexCommand.Add.class, IndexCommand.Delete.class, IndexCommand.SearchIndex.class,
            IndexCommand.Info.class, IndexCommand.Compact.class})
public final class IndexCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: create, add, delete, search, info or compact");
    }

    /** Rows per encode batch when adding or searching by features. */
    static final int BATCH = 1024;

    /** Where codes come from: a codes file, or features encoded by a model (either modality may be missing). */
    static final class Source {
        @Option(names = "--codes", paramLabel = "C.npy", description = "Codes: int8 +1/-1, N x nbit.")
        Path codes;

        @Option(names = "--model", paramLabel = "M", description = "A model (.safetensors) to encode --image/--text with.")
        Path model;

        @Option(names = "--image", paramLabel = "I.npy", description = "Image features (N x d_I); with --model.")
        Path image;

        @Option(names = "--text", paramLabel = "T.npy", description = "Text features (N x d_T); with --model.")
        Path text;

        @Option(names = "--nhead", defaultValue = "1", description = "Heads, for a model file without metadata (default: ${DEFAULT-VALUE}).")
        int nhead;

        void check() {
            if (codes != null && (model != null || image != null || text != null)) {
                throw new IllegalArgumentException("--codes: give either --codes or --model with --image/--text, not both");
            }
            if (codes == null && model == null) throw new IllegalArgumentException("--codes or --model: one of them is required");
            if (model != null && image == null && text == null) {
                throw new IllegalArgumentException("--image/--text: --model needs at least one of them");
            }
            if (model == null && (image != null || text != null)) throw new IllegalArgumentException("--model: required with --image/--text");
        }

        /** Streams the rows as codes, {@code batch} rows at a time. */
        Reader open(int batch) throws IOException {
            check();
            if (codes != null) return new CodeReader(codes, batch);
            return new FeatureReader(ModelFile.load(model, nhead), image, text, batch);
        }
    }

    /** Row batches as packed codes. */
    interface Reader extends AutoCloseable {
        int rows();

        int nbit();

        /** The next batch, or null at the end. */
        PackedCodes next() throws IOException;

        @Override
        void close() throws IOException;
    }

    static final class CodeReader implements Reader {
        final Path file;
        final Npy.Rows r;
        final int batch;
        int pos;

        CodeReader(Path file, int batch) throws IOException {
            this.file = file;
            this.r = Npy.Rows.open(file);
            this.batch = batch;
            if (r.cols() < 1) throw new IOException(file + ": codes need at least one bit per row");
        }

        public int rows() {
            return r.rows();
        }

        public int nbit() {
            return r.cols();
        }

        public PackedCodes next() throws IOException {
            if (pos >= r.rows()) return null;
            int len = Math.min(batch, r.rows() - pos);
            float[] f = new float[len * r.cols()];
            r.read(pos, len, f, 0);
            byte[] b = new byte[f.length];
            for (int i = 0; i < f.length; i++) {
                if (f[i] != 1f && f[i] != -1f) {
                    throw new IOException(file + ": row " + (pos + i / r.cols()) + ", bit " + i % r.cols() + " is " + f[i] + ", expected +1 or -1");
                }
                b[i] = (byte) f[i];
            }
            pos += len;
            return PackedCodes.fromInt8(b, len, r.cols());
        }

        public void close() throws IOException {
            r.close();
        }
    }

    static final class FeatureReader implements Reader {
        final BsthNetwork net;
        final Path imageFile, textFile;
        final Npy.Rows img, txt;
        final int batch, rows;
        int pos;

        FeatureReader(BsthNetwork net, Path imageFile, Path textFile, int batch) throws IOException {
            this.net = net;
            this.imageFile = imageFile;
            this.textFile = textFile;
            this.batch = batch;
            Npy.Rows i = null, t = null;
            try {
                i = imageFile == null ? null : Npy.Rows.open(imageFile);
                t = textFile == null ? null : Npy.Rows.open(textFile);
                if (i != null && i.cols() != net.config.imageDim()) {
                    throw new IOException(imageFile + ": " + i.cols() + " columns, the model expects " + net.config.imageDim());
                }
                if (t != null && t.cols() != net.config.textDim()) {
                    throw new IOException(textFile + ": " + t.cols() + " columns, the model expects " + net.config.textDim());
                }
                if (i != null && t != null && i.rows() != t.rows()) {
                    throw new IOException(textFile + ": " + t.rows() + " rows, but " + imageFile + " has " + i.rows());
                }
            } catch (IOException | RuntimeException e) {
                if (i != null) i.close();
                if (t != null) t.close();
                throw e;
            }
            img = i;
            txt = t;
            rows = i != null ? i.rows() : t.rows();
        }

        public int rows() {
            return rows;
        }

        public int nbit() {
            return net.config.nbit();
        }

        public PackedCodes next() throws IOException {
            if (pos >= rows) return null;
            int len = Math.min(batch, rows - pos);
            float[] a = img == null ? null : new float[len * img.cols()], b = txt == null ? null : new float[len * txt.cols()];
            if (a != null) img.read(pos, len, a, 0);
            if (b != null) txt.read(pos, len, b, 0);
            if (a != null) Features.checkFinite(imageFile.toString(), a, img.cols(), pos);
            if (b != null) Features.checkFinite(textFile.toString(), b, txt.cols(), pos);
            PackedCodes c = Features.encode(net, a, b, len);
            pos += len;
            return c;
        }

        public void close() throws IOException {
            if (img != null) img.close();
            if (txt != null) txt.close();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an empty index of nbit-bit codes.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--nbit", required = true, paramLabel = "N", description = "Bits per code.")
        int nbit;

        @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file to create (must not exist).")
        Path index;

        @Override
        public Integer call() throws IOException {
            if (nbit < 1) throw new IllegalArgumentException("--nbit: expected a positive number of bits, got " + nbit);
            CodeIndex.create(index, nbit).close();
            System.out.println("created " + index + " (" + nbit + "-bit codes, empty)");
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Add codes (--codes) or encode features (--model with --image and/or --text) into the index, streaming in batches; all or nothing.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file.")
        Path index;

        @Mixin
        Source source;

        @Option(names = "--ids", paramLabel = "IDS.npy", description = "Integer ids, one per row (default: continue after the largest id ever added).")
        Path ids;

        @Option(names = "--batch", defaultValue = "" + BATCH, description = "Rows read and encoded at a time (default: ${DEFAULT-VALUE}).")
        int batch;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            if (batch < 1) throw new IllegalArgumentException("--batch: expected a positive number of rows, got " + batch);
            source.check();
            long[] idArr = ids == null ? null : Npy.readLongs(ids);
            try (CodeIndex x = CodeIndex.open(index); Reader r = source.open(batch)) {
                if (r.nbit() != x.nbit()) {
                    throw new IllegalArgumentException((source.codes != null ? "--codes " + source.codes : "--model " + source.model) + ": "
                            + r.nbit() + "-bit codes, the index holds " + x.nbit());
                }
                if (idArr != null && idArr.length != r.rows()) {
                    throw new IllegalArgumentException("--ids " + ids + ": " + idArr.length + " ids for " + r.rows() + " rows");
                }
                int[] at = {0};
                long t0 = System.nanoTime();
                long added = x.addAll(() -> {
                    PackedCodes c = r.next();
                    if (c == null) return null;
                    long[] part = idArr == null ? null : java.util.Arrays.copyOfRange(idArr, at[0], at[0] + c.size());
                    at[0] += c.size();
                    return new CodeIndex.Batch(part, c);
                });
                System.out.printf(Locale.ROOT, "added %d items to %s (%d in all), %.3f s%n", added, index, x.size(), (System.nanoTime() - t0) / 1e9);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((e.getMessage().startsWith("ids:") ? "--ids" + (ids == null ? "" : " " + ids) + ": "
                        + e.getMessage().substring(4).trim() : e.getMessage()) + " (nothing was added)");
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete ids from the index (all or nothing).")
    static final class Delete implements Callable<Integer> {
        @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file.")
        Path index;

        @Option(names = "--ids", required = true, paramLabel = "IDS.npy", description = "Integer ids to delete; each must be in the index.")
        Path ids;

        @Override
        public Integer call() throws IOException {
            long[] idArr = Npy.readLongs(ids);
            try (CodeIndex x = CodeIndex.open(index)) {
                int n = x.delete(idArr);
                System.out.println("deleted " + n + " items from " + index + " (" + x.size() + " left)");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--ids " + ids + ": " + e.getMessage().replaceFirst("^ids: ", "") + " (nothing was deleted)");
            }
            return 0;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Exact Hamming top-k over one index or several (--index a,b,c: one global top-k), ties by ascending id.")
    static final class SearchIndex implements Callable<Integer> {
        @Option(names = "--index", required = true, split = ",", paramLabel = "PATH", description = "Index file(s), comma-separated: shards with ids unique across them.")
        List<Path> index;

        @Mixin
        Source source;

        @Option(names = "--k", required = true, paramLabel = "K", description = "Neighbours per query.")
        int k;

        @Option(names = "--out", required = true, paramLabel = "IDS.npy", description = "Ids, int64 nq x k, nearest first.")
        Path out;

        @Option(names = "--distances", paramLabel = "D.npy", description = "Also write the Hamming distances, int32 nq x k.")
        Path distances;

        @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report (search_seconds, sizes, threads).")
        Path report;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            if (k < 1) throw new IllegalArgumentException("--k: expected a positive number of neighbours, got " + k);
            Outputs.checkFile("--out", out);
            Outputs.checkFile("--distances", distances);
            Outputs.checkFile("--report", report);
            source.check();
            List<CodeIndex> shards = new ArrayList<>();
            try {
                long items = 0;
                for (Path p : index) {
                    CodeIndex x = CodeIndex.openReadOnly(p);
                    shards.add(x);
                    if (x.nbit() != shards.get(0).nbit()) {
                        throw new IllegalArgumentException("--index " + p + ": " + x.nbit() + "-bit codes, " + index.get(0) + " holds " + shards.get(0).nbit());
                    }
                    items += x.size();
                }
                if (shards.size() > 1) checkDisjoint(shards);
                if (k > items) throw new IllegalArgumentException("--k: " + k + " exceeds the " + items + " items of --index");
                PackedCodes q = readAll(source);
                if (q.nbit() != shards.get(0).nbit()) {
                    throw new IllegalArgumentException((source.codes != null ? "--codes " + source.codes : "--model " + source.model) + ": "
                            + q.nbit() + "-bit codes, --index holds " + shards.get(0).nbit());
                }
                long t0 = System.nanoTime();
                CodeIndex.Hits[] hits = search(shards, q, k);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long[] ids = new long[q.size() * k];
                int[] dist = new int[q.size() * k];
                for (int i = 0; i < hits.length; i++) {
                    System.arraycopy(hits[i].ids(), 0, ids, i * k, k);
                    System.arraycopy(hits[i].distances(), 0, dist, i * k, k);
                }
                Npy.writeLongs(out, ids, q.size(), k);
                if (distances != null) Npy.writeInts(distances, dist, q.size(), k);
                if (report != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("queries", (long) q.size());
                    m.put("items", items);
                    m.put("shards", (long) shards.size());
                    m.put("nbit", (long) q.nbit());
                    m.put("k", (long) k);
                    m.put("threads", (long) Parallel.threads());
                    m.put("search_seconds", seconds);
                    AtomicFiles.writeString(report, Json.write(m));
                }
                System.out.printf(Locale.ROOT, "%d queries x %d items in %d index file%s, k %d: search %.3f s%n",
                        q.size(), items, shards.size(), shards.size() == 1 ? "" : "s", k, seconds);
            } finally {
                for (CodeIndex x : shards) x.close();
            }
            return 0;
        }

        /** Every query's top-k per shard, merged into the global top-k (distance, then id). */
        static CodeIndex.Hits[] search(List<CodeIndex> shards, PackedCodes q, int k) {
            CodeIndex.Hits[][] per = new CodeIndex.Hits[shards.size()][];
            for (int s = 0; s < per.length; s++) per[s] = shards.get(s).search(q, k);
            CodeIndex.Hits[] out = new CodeIndex.Hits[q.size()];
            for (int i = 0; i < out.length; i++) {
                CodeIndex.Hits[] parts = new CodeIndex.Hits[per.length];
                for (int s = 0; s < per.length; s++) parts[s] = per[s][i];
                out[i] = per.length == 1 ? parts[0] : CodeIndex.merge(parts, k);
            }
            return out;
        }

        private void checkDisjoint(List<CodeIndex> shards) {
            long[][] ids = new long[shards.size()][];
            int n = 0;
            for (int s = 0; s < ids.length; s++) {
                ids[s] = shards.get(s).items().ids();
                n += ids[s].length;
            }
            long[] all = new long[n];
            int p = 0;
            for (long[] a : ids) {
                System.arraycopy(a, 0, all, p, a.length);
                p += a.length;
            }
            java.util.Arrays.sort(all);
            for (int i = 1; i < n; i++) {
                if (all[i] != all[i - 1]) continue;
                long id = all[i];
                List<Path> owners = new ArrayList<>();
                for (int s = 0; s < ids.length; s++) if (java.util.Arrays.stream(ids[s]).anyMatch(v -> v == id)) owners.add(index.get(s));
                throw new IllegalArgumentException("--index: id " + id + " is in " + owners + " (ids must be unique across index files)");
            }
        }

        static PackedCodes readAll(Source source) throws IOException {
            try (Reader r = source.open(BATCH)) {
                List<PackedCodes> parts = new ArrayList<>();
                int n = 0;
                for (PackedCodes c; (c = r.next()) != null; ) {
                    parts.add(c);
                    n += c.size();
                }
                int w = PackedCodes.wordsFor(r.nbit());
                long[] all = new long[n * w];
                int p = 0;
                for (PackedCodes c : parts) {
                    System.arraycopy(c.words(), 0, all, p, c.words().length);
                    p += c.words().length;
                }
                return PackedCodes.wrap(all, n, r.nbit());
            }
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Print the index's bits, items, records, dead records and file size.")
    static final class Info implements Callable<Integer> {
        @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file.")
        Path index;

        @Override
        public Integer call() throws IOException {
            try (CodeIndex x = CodeIndex.openReadOnly(index)) {
                CodeIndex.Info i = x.info();
                System.out.println("index: " + index);
                System.out.println("nbit: " + i.nbit());
                System.out.println("items: " + i.size());
                System.out.println("records: " + i.records());
                System.out.println("dead_records: " + i.deadRecords() + " (compact drops them)");
                System.out.println("file_bytes: " + i.fileBytes());
            }
            return 0;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true, description = "Rewrite the index without deleted items (crash-safe).")
    static final class Compact implements Callable<Integer> {
        @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file.")
        Path index;

        @Override
        public Integer call() throws IOException {
            try (CodeIndex x = CodeIndex.open(index)) {
                long before = x.info().fileBytes();
                x.compact();
                System.out.println("compacted " + index + ": " + x.size() + " items, " + before + " -> " + x.info().fileBytes() + " bytes");
            }
            return 0;
        }
    }
}
