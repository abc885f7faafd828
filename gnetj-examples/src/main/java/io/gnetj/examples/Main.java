package io.gnetj.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The launcher: {@code java -jar gnetj-examples.jar <example> [flags]}. With no arguments or
 * {@code --help} it lists every example with its flags. A usage error prints a message on stderr
 * and exits with code 2; an example that fails to start (say, its port is taken) exits with 1.
 */
public final class Main {

    /** Exit code for a command line that cannot be run. */
    public static final int USAGE = 2;

    private Main() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        // A server returns once stopped; exit explicitly so a stray non-daemon thread cannot keep us.
        System.exit(code);
    }

    /** Runs the command line and returns the exit code (testable without exiting). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printUsage(out);
            return 0;
        }
        Optional<Example> example = Examples.byName(args[0]);
        if (example.isEmpty()) {
            err.println("unknown example '" + args[0] + "'");
            printExampleNames(err);
            return USAGE;
        }
        Example e = example.get();
        Flags flags;
        try {
            flags = Flags.parse(e.flags(), Arrays.asList(args).subList(1, args.length));
        } catch (UsageException ex) {
            err.println(e.name() + ": " + ex.getMessage());
            err.println("run '" + e.name() + " --help' for its flags");
            return USAGE;
        }
        if (flags.helpRequested()) {
            printExample(out, e);
            return 0;
        }
        try {
            return e.run(flags, out);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception ex) {
            err.println(e.name() + ": " + ex);
            return 1;
        }
    }

    static void printUsage(PrintStream out) {
        out.println("usage: java -jar gnetj-examples.jar <example> [flags]");
        out.println();
        out.println("examples:");
        for (Example e : Examples.ALL) {
            out.println();
            printExample(out, e);
        }
    }

    private static void printExample(PrintStream out, Example e) {
        out.println("  " + e.name() + " - " + e.description());
        List<Flag> flags = e.flags();
        int width = 0;
        for (Flag f : flags) {
            width = Math.max(width, f.synopsis().length());
        }
        for (Flag f : flags) {
            out.printf("      %-" + width + "s  %s%n", f.synopsis(), f.help());
        }
    }

    private static void printExampleNames(PrintStream out) {
        StringBuilder sb = new StringBuilder("examples:");
        for (Example e : Examples.ALL) {
            sb.append(' ').append(e.name());
        }
        out.println(sb);
    }
}
