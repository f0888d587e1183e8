/**
 * Internals of the transformations: path finding ({@link io.github.ssm4j.autodiff.internal.GraphPath}),
 * static shape inference by probing ({@link io.github.ssm4j.autodiff.internal.StaticShapes}) and the
 * forward- and reverse-mode walkers. Not public API.
 */
package io.github.ssm4j.autodiff.internal;
