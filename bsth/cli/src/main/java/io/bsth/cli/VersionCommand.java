package io.bsth.cli;

import io.bsth.tensor.Simd;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bsth version}: the tool's version and the runtime it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Print the version, Java runtime and SIMD width.")
public final class VersionCommand implements Callable<Integer> {
    /** Implementation-Version of the jar's manifest (from the POM); "unknown" when not run from a jar. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "unknown (not run from a jar)" : v;
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bsth " + version()};
        }
    }

    @Override
    public Integer call() {
        System.out.println("bsth " + version());
        System.out.println("java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        System.out.println(Simd.describe() + ", processors " + Runtime.getRuntime().availableProcessors());
        return 0;
    }
}
