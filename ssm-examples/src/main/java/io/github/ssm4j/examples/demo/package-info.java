/**
 * The default run: train a zoo recipe on a 2-D toy density, sample it by Langevin dynamics, measure the
 * Fisher divergence to the true score and draw the pictures.
 */
package io.github.ssm4j.examples.demo;
