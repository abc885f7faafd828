package io.gnetj.examples;

/**
 * An example ran and failed for a reason the user should read as is (the server cannot be
 * reached, a reply was wrong): {@link Main} prints the message alone, without a stack trace or
 * class name, and exits with 1.
 */
public final class ExampleFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** With the message shown to the user; it should name the address or value at fault. */
    public ExampleFailedException(String message) {
        super(message);
    }
}
