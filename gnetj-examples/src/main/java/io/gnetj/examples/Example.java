package io.gnetj.examples;

import java.io.PrintStream;
import java.util.List;

/**
 * One runnable example: {@code java -jar gnetj-examples.jar <name> [flags]}. To add one, implement
 * this (servers extend {@link ServerExample}) and list it in {@link Examples#ALL}; {@link Main}
 * then parses its flags, shows it in {@code --help} and runs it.
 */
public interface Example {

    /** The name given on the command line, e.g. {@code echo}. */
    String name();

    /** One line for the list of examples. */
    String description();

    /** Every flag it takes, in the order {@code --help} shows them. */
    List<Flag> flags();

    /**
     * Runs the example until it is done (servers: until stopped), writing progress to {@code out}.
     *
     * @return the process exit code
     * @throws Exception anything that should end the run with a message
     */
    int run(Flags flags, PrintStream out) throws Exception;
}
