package io.gnetj.examples;

/** The command line asks for something that does not exist or gives a value that is not acceptable. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With the message shown to the user. */
    public UsageException(String message) {
        super(message);
    }
}
