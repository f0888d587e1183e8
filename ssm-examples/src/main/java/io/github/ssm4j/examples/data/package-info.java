/**
 * Datasets for the examples: 2-D toy distributions with exact samples, normalised log-densities and
 * reference scores ({@link io.github.ssm4j.examples.data.GaussianMixture},
 * {@link io.github.ssm4j.examples.data.Rings}, {@link io.github.ssm4j.examples.data.TwoMoons},
 * {@link io.github.ssm4j.examples.data.Checkerboard}); small real datasets shipped as resources
 * ({@link io.github.ssm4j.examples.data.Digits}, {@link io.github.ssm4j.examples.data.BreastCancer});
 * MNIST and Fashion-MNIST read from verified IDX files ({@link io.github.ssm4j.examples.data.Mnist},
 * {@link io.github.ssm4j.examples.data.FashionMnist}, {@link io.github.ssm4j.examples.data.IdxReader});
 * and the registry by name, {@link io.github.ssm4j.examples.data.Datasets}. docs/DATASETS.md lists sizes,
 * licences, citations and how to fetch what is not shipped.
 */
package io.github.ssm4j.examples.data;
