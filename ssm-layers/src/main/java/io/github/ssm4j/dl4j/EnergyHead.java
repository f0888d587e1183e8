package io.github.ssm4j.dl4j;

import io.github.ssm4j.autodiff.Hvp;
import io.github.ssm4j.autodiff.StableOps;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * How a translated network becomes a score model. A network whose output has the shape of its input is
 * a score network ({@link #NONE}); any other network needs a head that turns its output into one energy
 * per example, E(x), with log p(x) = −E(x) − log Z and s = −∇ₓE.
 *
 * <p>Stability: public API.
 */
public enum EnergyHead {
    /** No head: the output is the score s(x) and must have the input's shape. */
    NONE,
    /** The output itself is the energy: shape {@code [N, 1]} or {@code [N]}. */
    OUTPUT,
    /** E(x) = the sum of the output over every dimension but the batch. */
    SUM,
    /**
     * E(x) = −logsumexp(logits): a classifier read as an energy-based model (Grathwohl et al., "Your
     * classifier is secretly an energy based model", ICLR 2020). The logits are the input of the output's
     * softmax (or log-softmax) when the network ends in one — the usual classifier — and otherwise the
     * output itself (e.g. an identity-activation output layer).
     */
    NEGATIVE_LOG_SUM_EXP;

    /** The energy, shape {@code [N]}, from the translated network; not for {@link #NONE}. */
    public SDVariable energy(TranslatedNetwork network) {
        return switch (this) {
            case NONE -> throw new IllegalStateException("EnergyHead.NONE is a score network and has no energy");
            case OUTPUT -> network.output();
            case SUM -> Hvp.sumPerExample(network.output());
            case NEGATIVE_LOG_SUM_EXP -> {
                SDVariable logits = logits(network);
                yield StableOps.logSumExp(logits.getSameDiff(), logits, false, 1).neg();
            }
        };
    }

    private static SDVariable logits(TranslatedNetwork network) {
        try {
            return network.preActivationOutput();
        } catch (UnsupportedOperationException notExposed) {
            SDVariable out = network.output();
            org.nd4j.autodiff.functions.DifferentialFunction producer =
                    out.getSameDiff().getVariableOutputOp(out.name());
            if (producer != null && (producer.opName().equals("softmax") || producer.opName().equals("log_softmax"))) {
                return producer.arg(0);
            }
            return out;
        }
    }
}
