package io.github.ssm4j.examples.data;

import java.util.Optional;

/**
 * One entry of the {@link Datasets} registry: a toy distribution, a dataset shipped with ssm4j, or one
 * that is fetched onto the machine.
 *
 * <p>Stability: public API.
 */
public interface Dataset {

    /** The kind of source. */
    enum Kind {
        /** A 2-D distribution with a reference score, sampled on demand. */
        TOY,
        /** A small real dataset shipped inside ssm4j. */
        SHIPPED,
        /** A real dataset that must be fetched onto the machine first. */
        FETCHED
    }

    /** The registry name, e.g. {@code two-moons}. */
    String name();

    /** One line for listings. */
    String description();

    Kind kind();

    /** The shape of one example, e.g. {@code [2]}, {@code [8, 8]}, {@code [28, 28]}. */
    long[] exampleShape();

    /** Whether it can be loaded now (always for toys and shipped sets; for fetched ones, files present). */
    boolean isAvailable();

    /** For fetched datasets, the command that fetches them. */
    Optional<String> fetchCommand();

    /** For toys, the distribution (with its exact or numerical score). */
    Optional<ToyDistribution> toy();

    /**
     * Loads a split.
     *
     * @throws DatasetUnavailableException if a fetched dataset is not on this machine
     * @throws DatasetException if its files are damaged
     */
    LabeledData load(Split split, LoadOptions options);

    /** The training split with default options. */
    default LabeledData load() {
        return load(Split.TRAIN, LoadOptions.defaults());
    }
}
