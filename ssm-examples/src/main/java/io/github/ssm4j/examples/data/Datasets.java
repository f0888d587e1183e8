package io.github.ssm4j.examples.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The datasets by name, for the command line's {@code --dataset}: the toys {@code gaussian-mixture},
 * {@code rings}, {@code two-moons}, {@code checkerboard}; the shipped {@code digits} and
 * {@code breast-cancer}; the fetched {@code mnist} and {@code fashion-mnist} (see docs/DATASETS.md).
 *
 * <p>Stability: public API.
 */
public final class Datasets {
    private static final long TEST_STREAM = 0x9E3779B97F4A7C15L;
    private static final Map<String, Dataset> REGISTRY = new LinkedHashMap<>();

    static {
        toy(GaussianMixture.eightGaussians());
        toy(Rings.defaults());
        toy(TwoMoons.defaults());
        toy(Checkerboard.defaults());
        register(Digits.NAME, "scikit-learn digits: 1797 8×8 images, counts 0..16 (scaled /16), 10 classes; shipped",
                Dataset.Kind.SHIPPED, new long[] {8, 8}, () -> true, () -> null,
                (split, o) -> Digits.load(split, o.raw(), o.dataType()));
        register(BreastCancer.NAME, "Breast Cancer Wisconsin (Diagnostic): 569 × 30 features (standardised),"
                + " malignant/benign; shipped", Dataset.Kind.SHIPPED, new long[] {BreastCancer.FEATURES},
                () -> true, () -> null, (split, o) -> BreastCancer.load(split, o.raw(), o.dataType()));
        register(Mnist.NAME, "MNIST: 60 000 + 10 000 28×28 digits (scaled /255); fetched by "
                + Mnist.FETCH_COMMAND, Dataset.Kind.FETCHED, new long[] {28, 28},
                () -> Mnist.isPresent(Mnist.defaultDirectory()), () -> Mnist.fetchCommand(Mnist.defaultDirectory()),
                (split, o) -> Mnist.load(Mnist.defaultDirectory(), split, o.raw(), o.dataType()));
        register(FashionMnist.NAME, "Fashion-MNIST: 60 000 + 10 000 28×28 article images (scaled /255);"
                + " installed by " + FashionMnist.FETCH_COMMAND, Dataset.Kind.FETCHED, new long[] {28, 28},
                () -> FashionMnist.isPresent(FashionMnist.defaultDirectory()),
                () -> FashionMnist.fetchCommand(FashionMnist.defaultDirectory()),
                (split, o) -> FashionMnist.load(FashionMnist.defaultDirectory(), split, o.raw(), o.dataType()));
    }

    private Datasets() {
    }

    /** All names, toys first, in a fixed order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The names of the toy distributions. */
    public static List<String> toyNames() {
        return REGISTRY.values().stream().filter(d -> d.kind() == Dataset.Kind.TOY).map(Dataset::name).toList();
    }

    /**
     * The dataset called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name; the message lists the known ones
     */
    public static Dataset get(String name) {
        Dataset d = REGISTRY.get(name);
        if (d == null) {
            throw new IllegalArgumentException("Unknown dataset '" + name + "'; known datasets: "
                    + String.join(", ", names()));
        }
        return d;
    }

    /**
     * The toy distribution called {@code name}.
     *
     * @throws IllegalArgumentException if there is none; the message lists the toys
     */
    public static ToyDistribution toy(String name) {
        Dataset d = REGISTRY.get(name);
        if (d == null || d.toy().isEmpty()) {
            throw new IllegalArgumentException("No toy distribution '" + name + "'; toys: "
                    + String.join(", ", toyNames()));
        }
        return d.toy().get();
    }

    /** Shorthand for {@code get(name).load(split, options)}. */
    public static LabeledData load(String name, Split split, LoadOptions options) {
        return get(name).load(split, options);
    }

    private static void toy(ToyDistribution t) {
        register(t.name(), t.description() + "; exact samples and " + (t.scoreAccuracy() < 1e-12
                ? "closed-form" : "numerical") + " score", Dataset.Kind.TOY, new long[] {t.dimension()},
                () -> true, () -> null, (split, o) -> t.sampleLabeled(o.toySamples(),
                        split == Split.TEST ? o.seed() ^ TEST_STREAM : o.seed(), o.dataType()), t);
    }

    private static void register(String name, String description, Dataset.Kind kind, long[] shape,
            BooleanSupplier available, Supplier<String> fetch, BiFunction<Split, LoadOptions, LabeledData> loader) {
        register(name, description, kind, shape, available, fetch, loader, null);
    }

    private static void register(String name, String description, Dataset.Kind kind, long[] shape,
            BooleanSupplier available, Supplier<String> fetch, BiFunction<Split, LoadOptions, LabeledData> loader,
            ToyDistribution toy) {
        REGISTRY.put(name, new Dataset() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public Kind kind() {
                return kind;
            }

            @Override
            public long[] exampleShape() {
                return shape.clone();
            }

            @Override
            public boolean isAvailable() {
                return available.getAsBoolean();
            }

            @Override
            public Optional<String> fetchCommand() {
                return Optional.ofNullable(fetch.get());
            }

            @Override
            public Optional<ToyDistribution> toy() {
                return Optional.ofNullable(toy);
            }

            @Override
            public LabeledData load(Split split, LoadOptions options) {
                return loader.apply(split, options);
            }

            @Override
            public String toString() {
                return name + " — " + description;
            }
        });
    }
}
