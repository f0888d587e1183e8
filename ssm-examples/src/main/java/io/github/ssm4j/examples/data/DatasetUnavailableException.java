package io.github.ssm4j.examples.data;

/**
 * A dataset that is not shipped with ssm4j is not on this machine. The message (and
 * {@link #fetchCommand()}) give the exact command that fetches it.
 *
 * <p>Stability: public API.
 */
public class DatasetUnavailableException extends DatasetException {
    private static final long serialVersionUID = 1L;
    private final String fetchCommand;

    public DatasetUnavailableException(String message, String fetchCommand) {
        super(message + "\nFetch it with:\n    " + fetchCommand);
        this.fetchCommand = fetchCommand;
    }

    /** The shell command that fetches the dataset, e.g. {@code bash scripts/fetch-mnist.sh}. */
    public String fetchCommand() {
        return fetchCommand;
    }
}
