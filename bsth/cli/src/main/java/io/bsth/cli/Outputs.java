package io.bsth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any long work starts, that every output a command will write can be written: a file's
 * folder exists and accepts a new file, a folder can be created and accepts a new file. A run must not
 * train for hours and then fail on its last line because of a typo in {@code --report}.
 */
final class Outputs {
    private Outputs() {}

    /** {@code file} (given with {@code flag}) can be created or replaced. */
    static void checkFile(String flag, Path file) throws IOException {
        if (file == null) return;
        if (Files.isDirectory(file)) throw new IOException(flag + " " + file + ": is a folder, expected a file name");
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IOException(flag + " " + file + ": folder " + parent + " does not exist");
        }
        if (Files.exists(file) && !Files.isWritable(file)) throw new IOException(flag + " " + file + ": file is not writable");
        probe(flag, file, parent);
    }

    /** Folder {@code dir} (given with {@code flag}) exists or can be created, and accepts new files. */
    static void checkFolder(String flag, Path dir) throws IOException {
        if (dir == null) return;
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(flag + " " + dir + ": is a file, expected a folder");
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IOException(flag + " " + dir + ": cannot create the folder (" + e.getMessage() + ")");
        }
        probe(flag, dir, dir);
    }

    private static void probe(String flag, Path what, Path folder) throws IOException {
        Path p;
        try {
            p = Files.createTempFile(folder, ".bsth-probe", ".tmp");
        } catch (IOException | SecurityException e) {
            throw new IOException(flag + " " + what + ": cannot write in " + folder + " (" + e.getMessage() + ")");
        }
        Files.deleteIfExists(p);
    }
}
