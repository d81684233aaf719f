package io.bsth.cli;

import io.bsth.data.DataSources;
import io.bsth.data.MultiModalData;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bsth export-data}: writes any data source as the nine {@code .npy} files (e.g. for tools/bsth_reference.py). */
@Command(name = "export-data", mixinStandardHelpOptions = true,
        description = "Write a data source (--data) as a folder of the nine .npy arrays I_tr T_tr L_tr I_db T_db L_db I_te T_te L_te.")
public final class ExportDataCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "SPEC",
            description = "A .npy folder, a .mat file, synthetic[:KEY=VALUE,...] or fashion-mnist[:DIR] (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (created if missing).")
    Path out;

    @Override
    public Integer call() throws Exception {
        MultiModalData d = DataSources.open(data);
        d.writeNpy(out);
        System.out.println(d.summary());
        System.out.println("wrote " + out);
        return 0;
    }
}
