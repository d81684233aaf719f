package io.bsth.cli;

import io.bsth.retrieval.CodeIndex;
import io.bsth.retrieval.PackedCodes;
import io.bsth.tensor.io.AtomicFiles;
import io.bsth.tensor.io.Npy;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bsth export}: the index's codes in the formats of other engines. Codes leave as bytes: +1 is a
 * set bit, bit i of a code is bit {@code i % 8} (least significant first) of byte {@code i / 8}; codes
 * are padded with clear bits to whole bytes. Items go out in ascending id order.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Export the index's codes for FAISS, OpenSearch, Elasticsearch, Milvus, or as packed bytes (items in id order).")
public final class ExportCommand implements Callable<Integer> {
    enum Format { faiss, opensearch, elasticsearch, milvus, packed }

    @Option(names = "--index", required = true, paramLabel = "PATH", description = "The index file.")
    Path index;

    @Option(names = "--format", required = true, paramLabel = "F", description = "faiss | opensearch | elasticsearch | milvus | packed.")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "faiss: an IndexBinaryFlat file (plus OUT.ids.npy); milvus: a JSON rows file; opensearch, elasticsearch, packed: a new folder.")
    Path out;

    @Option(names = "--name", defaultValue = "bsth", paramLabel = "NAME", description = "Index / collection name (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws IOException {
        if (!name.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new IllegalArgumentException("--name: '" + name + "' is not a valid index name (lowercase letters, digits, _ . -)");
        }
        if (Files.exists(out)) throw new IllegalArgumentException("--out " + out + ": already exists");
        Outputs.checkFile("--out", out);
        long[] ids;
        byte[] bytes;
        int nbit, bpc;
        try (CodeIndex x = CodeIndex.openReadOnly(index)) {
            CodeIndex.Items items = x.items();
            nbit = x.nbit();
            bpc = (nbit + 7) / 8;
            int n = items.ids().length;
            int[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingLong(i -> items.ids()[i])).mapToInt(Integer::intValue).toArray();
            ids = new long[n];
            bytes = new byte[n * bpc];
            for (int r = 0; r < n; r++) {
                ids[r] = items.ids()[order[r]];
                packBytes(items.codes(), order[r], bytes, r * bpc, bpc);
            }
        }
        switch (format) {
            case faiss -> {
                Npy.writeLongs(idsSidecar(out), ids, ids.length, 1);
                writeFaiss(out, bytes, ids.length, bpc);
            }
            case packed -> writeFolder(out, dir -> {
                Files.write(dir.resolve("codes.bin"), bytes);
                Npy.writeLongs(dir.resolve("ids.npy"), ids, ids.length, 1);
            });
            case opensearch -> writeFolder(out, dir -> {
                Files.writeString(dir.resolve("index.json"), openSearchIndex(bpc * 8));
                writeBulk(dir.resolve("bulk.ndjson"), ids, bytes, bpc);
            });
            case elasticsearch -> writeFolder(out, dir -> {
                Files.writeString(dir.resolve("index.json"), elasticsearchIndex(bpc * 8));
                writeBulk(dir.resolve("bulk.ndjson"), ids, bytes, bpc);
            });
            case milvus -> AtomicFiles.write(out, o -> writeMilvus(o, ids, bytes, bpc));
        }
        System.out.println("exported " + ids.length + " codes of " + nbit + " bits (" + bpc + " bytes each) as " + format + " to " + out);
        return 0;
    }

    /** The faiss labels are positions in id order; this file maps them back to ids. */
    static Path idsSidecar(Path out) {
        return out.resolveSibling(out.getFileName() + ".ids.npy");
    }

    /** Code {@code i} as {@code bpc} bytes, little-endian bit order (NumPy's packbits(..., bitorder="little")). */
    static void packBytes(PackedCodes c, int i, byte[] dst, int off, int bpc) {
        for (int b = 0; b < bpc; b++) dst[off + b] = (byte) (c.word(i, b >>> 3) >>> ((b & 7) * 8));
    }

    /**
     * FAISS's IndexBinaryFlat serialisation (write_index_binary): fourcc "IBxF", d (int32, bits), code_size
     * (int32, bytes), ntotal (int64), is_trained (1 byte), metric_type (int32, 1 = L2, unused by binary
     * indexes), then the codes as a vector: its byte count (uint64) and the bytes.
     */
    static void writeFaiss(Path file, byte[] bytes, int n, int bpc) throws IOException {
        AtomicFiles.write(file, o -> {
            ByteBuffer h = ByteBuffer.allocate(4 + 4 + 4 + 8 + 1 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
            h.put("IBxF".getBytes(StandardCharsets.US_ASCII)).putInt(bpc * 8).putInt(bpc).putLong(n).put((byte) 1).putInt(1).putLong(bytes.length);
            o.write(h.array());
            o.write(bytes);
        });
    }

    static String openSearchIndex(int dims) {
        return "{\n  \"settings\": {\"index\": {\"knn\": true, \"number_of_shards\": 1, \"number_of_replicas\": 0}},\n"
                + "  \"mappings\": {\"properties\": {\"code\": {\"type\": \"knn_vector\", \"dimension\": " + dims
                + ", \"data_type\": \"binary\", \"space_type\": \"hamming\",\n"
                + "    \"method\": {\"name\": \"hnsw\", \"engine\": \"lucene\", \"space_type\": \"hamming\"}}}}\n}\n";
    }

    static String elasticsearchIndex(int dims) {
        return "{\n  \"settings\": {\"number_of_shards\": 1, \"number_of_replicas\": 0},\n"
                + "  \"mappings\": {\"properties\": {\"code\": {\"type\": \"dense_vector\", \"element_type\": \"bit\", \"dims\": " + dims
                + ", \"index\": true, \"similarity\": \"l2_norm\"}}}\n}\n";
    }

    private void writeBulk(Path file, long[] ids, byte[] bytes, int bpc) throws IOException {
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                sb.setLength(0);
                sb.append("{\"index\": {\"_index\": \"").append(name).append("\", \"_id\": \"").append(ids[i]).append("\"}}\n{\"code\": [");
                for (int b = 0; b < bpc; b++) sb.append(b == 0 ? "" : ", ").append(bytes[i * bpc + b]);   // signed: -128..127
                sb.append("]}\n");
                o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Milvus bulk-insert rows: {"rows": [{"id": ID, "code": [uint8, ...]}, ...]} for an INT64 primary key and a BINARY_VECTOR field. */
    private static void writeMilvus(OutputStream o, long[] ids, byte[] bytes, int bpc) throws IOException {
        o.write("{\"rows\": [\n".getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            sb.setLength(0);
            sb.append(i == 0 ? "" : ",\n").append("{\"id\": ").append(ids[i]).append(", \"code\": [");
            for (int b = 0; b < bpc; b++) sb.append(b == 0 ? "" : ", ").append(bytes[i * bpc + b] & 0xFF);
            sb.append("]}");
            o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        o.write("\n]}\n".getBytes(StandardCharsets.UTF_8));
    }

    @FunctionalInterface
    interface FolderBody {
        void write(Path dir) throws IOException;
    }

    /** Writes a new folder completely or not at all: a temporary folder beside it, every file fsynced, then one rename. */
    static void writeFolder(Path out, FolderBody body) throws IOException {
        Path abs = out.toAbsolutePath();
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".");
        boolean ok = false;
        try {
            body.write(tmp);
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : files.toList()) {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            ok = true;
        } finally {
            if (!ok) {
                try (Stream<Path> files = Files.list(tmp)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                }
                Files.deleteIfExists(tmp);
            }
        }
    }
}
