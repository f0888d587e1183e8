package io.github.ssm4j.examples.data;

/**
 * A dataset could not be loaded: a file is damaged, truncated, of the wrong format or version. The
 * message names the file, what was expected and what was found.
 *
 * <p>Stability: public API.
 */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
