package io.github.ssm4j.examples.data;

import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fashion-MNIST: 70 000 Zalando article images, 28×28 grey levels, 10 classes, 60 000 for training and
 * 10 000 for testing (Xiao, Rasul and Vollgraf, 2017, arXiv:1708.07747; MIT licence). Not shipped with
 * ssm4j: Debian's package {@code dataset-fashion-mnist} installs the four gzipped IDX files in
 * {@code /usr/share/datasets/fashion-mnist}.
 *
 * <p>Loading verifies the IDX magic numbers, element type, dimensions, lengths and the SHA-256 of each
 * file's decompressed content (computed from Debian's {@code dataset-fashion-mnist}
 * 0.0~git20200523.55506a9-1; Debian recompressed the files, so upstream's MD5 sums of the {@code .gz}
 * files do not apply, the content digests do not depend on the compression). Uncompressed files with the
 * same names (without {@code .gz}) are read too.
 *
 * <p>Features {@code [n, 784]} scaled to [0, 1] by /255, or the raw levels 0..255.
 *
 * <p>Stability: public API.
 */
public final class FashionMnist {
    public static final String NAME = "fashion-mnist";
    /** Where Debian's package puts the files. */
    public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");
    /** The command that installs the dataset (as root; prefix sudo otherwise). */
    public static final String FETCH_COMMAND = "apt-get install -y dataset-fashion-mnist";

    static final IdxImageSet.Part TRAIN_IMAGES = new IdxImageSet.Part("train-images-idx3-ubyte", 60_000,
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888");
    static final IdxImageSet.Part TRAIN_LABELS = new IdxImageSet.Part("train-labels-idx1-ubyte", 60_000,
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9");
    static final IdxImageSet.Part TEST_IMAGES = new IdxImageSet.Part("t10k-images-idx3-ubyte", 10_000,
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b");
    static final IdxImageSet.Part TEST_LABELS = new IdxImageSet.Part("t10k-labels-idx1-ubyte", 10_000,
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");
    static final List<IdxImageSet.Part> ALL_PARTS = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    /** The class names, in label order. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {
    }

    /**
     * The system property {@code ssm4j.fashion-mnist.dir} if set, else the environment variable
     * {@code SSM4J_FASHION_MNIST_DIR} if set, else {@link #DEBIAN_DIRECTORY}.
     */
    public static Path defaultDirectory() {
        String prop = System.getProperty("ssm4j.fashion-mnist.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("SSM4J_FASHION_MNIST_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return DEBIAN_DIRECTORY;
    }

    /** Whether the four files are in {@code dir} (not whether they are intact). */
    public static boolean isPresent(Path dir) {
        return IdxImageSet.present(dir, ALL_PARTS);
    }

    /** The command that installs the files (into {@link #DEBIAN_DIRECTORY}, then copies them to dir if elsewhere). */
    public static String fetchCommand(Path dir) {
        return dir.toAbsolutePath().normalize().equals(DEBIAN_DIRECTORY) ? FETCH_COMMAND
                : FETCH_COMMAND + " && mkdir -p '" + dir + "' && cp " + DEBIAN_DIRECTORY + "/*.gz '" + dir + "'/";
    }

    /** The split from {@link #defaultDirectory()}, scaled to [0, 1], float32. */
    public static LabeledData load(Split split) {
        return load(defaultDirectory(), split, false, DataType.FLOAT);
    }

    /**
     * @param raw true for grey levels 0..255, false for [0, 1]
     * @throws DatasetUnavailableException if a file is missing (the message has the install command)
     * @throws DatasetException if a file is damaged
     */
    public static LabeledData load(Path dir, Split split, boolean raw, DataType dataType) {
        String fetch = fetchCommand(dir);
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new DatasetUnavailableException("Fashion-MNIST is not on this machine: " + dir
                    + " does not exist (ssm4j does not ship Fashion-MNIST).", fetch);
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
