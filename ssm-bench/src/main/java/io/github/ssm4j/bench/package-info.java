/**
 * Benchmarks of ssm4j's training step: the cases ({@link StepCase}), a plain timing driver that prints one
 * CSV row per case ({@link BenchMain}), the JMH benchmark of the same cases ({@link StepBenchmark}), the
 * sgemm rate and FLOP count behind the hardware limit ({@link Sgemm}, {@link Flops}), and the D-sweep plot
 * ({@link SweepPlot}). {@code ssm-bench/run.sh} runs them side by side with the PyTorch script.
 */
package io.github.ssm4j.bench;
