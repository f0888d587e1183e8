/** PNG figures for the examples (JFreeChart, rendered headless): scatter, score fields, heat maps, curves. */
package io.github.ssm4j.examples.plot;
