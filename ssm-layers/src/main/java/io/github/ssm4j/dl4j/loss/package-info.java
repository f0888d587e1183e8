/**
 * Score matching as a drop-in DL4J loss: {@link io.github.ssm4j.dl4j.loss.LossFdSsm}, finite-difference
 * sliced score matching (Pang et al., NeurIPS 2020) as an {@code ILossFunction}, and
 * {@link io.github.ssm4j.dl4j.loss.FdSsmPreProcessor}, which pairs each batch as [x + εv; x − εv] with labels
 * [v; v]. Together they train a score network with DL4J's own {@code net.fit}, without any graph
 * transformation — approximately (O(ε²) bias), where the {@code io.github.ssm4j.objective} objectives are
 * exact. See docs/DL4J-LOSS-AND-CONDITIONING.md.
 */
package io.github.ssm4j.dl4j.loss;
