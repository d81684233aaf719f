package io.bsth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bsth COMMAND --help} works for every command and subcommand (docs/CLI.md relies on it). */
class HelpTest {
    static void checkHelp(CommandLine cl, String... path) {
        String[] args = new String[path.length + 1];
        System.arraycopy(path, 0, args, 0, path.length);
        args[path.length] = "--help";
        CliRun r = CliRun.run(args);
        assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.out().startsWith("Usage: bsth"), String.join(" ", args) + ": " + r.out());
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String[] sub = new String[path.length + 1];
            System.arraycopy(path, 0, sub, 0, path.length);
            sub[path.length] = e.getKey();
            checkHelp(e.getValue(), sub);
        }
    }

    @Test
    void everyCommandPrintsItsHelp() {
        checkHelp(Main.commandLine());
    }
}
