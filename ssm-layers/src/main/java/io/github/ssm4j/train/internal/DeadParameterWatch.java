package io.github.ssm4j.train.internal;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices parameters whose gradient is exactly zero step after step — units that no longer affect the loss,
 * typically ReLUs that died (the zoo UNet's 2-channel ReLU head died within 5 Adam steps and left a constant
 * score while the loss looked merely flat). Every {@code interval} steps it takes one max-abs reduction per
 * gradient; a parameter whose gradient was exactly zero at two checks in a row is reported once. A
 * gradient of exactly zero in float arithmetic means no path from the loss reaches that parameter, not a
 * small signal, so there is no threshold to tune.
 */
public final class DeadParameterWatch {
    /** Steps between checks in the trainers. */
    public static final int DEFAULT_INTERVAL = 50;
    private static final Logger LOG = LoggerFactory.getLogger(DeadParameterWatch.class);
    private final int interval;
    private Set<String> zeroAtLastCheck = Set.of();
    private final Set<String> reported = new TreeSet<>();

    /** @param interval steps between checks (≥ 1) */
    public DeadParameterWatch(int interval) {
        if (interval < 1) {
            throw new IllegalArgumentException("The check interval must be at least 1 step, got " + interval);
        }
        this.interval = interval;
    }

    /**
     * Checks the gradients of step {@code step} if it is a check step; logs and returns the parameters found
     * dead for the first time (empty otherwise).
     */
    public Set<String> check(int step, Map<String, INDArray> gradients) {
        if (step % interval != 0) {
            return Set.of();
        }
        Set<String> zero = new TreeSet<>();
        for (Map.Entry<String, INDArray> g : gradients.entrySet()) {
            if (g.getValue().length() > 0 && g.getValue().amaxNumber().doubleValue() == 0.0) {
                zero.add(g.getKey());
            }
        }
        Set<String> dead = new TreeSet<>(zero);
        dead.retainAll(zeroAtLastCheck);
        dead.removeAll(reported);
        reported.addAll(dead);
        zeroAtLastCheck = zero;
        if (!dead.isEmpty()) {
            LOG.warn("Step {}: the gradients of {} have been exactly zero at two checks {} steps apart: no path from "
                    + "the loss reaches them any more (dead ReLUs, or a layer whose output is cut off), and training "
                    + "cannot change them", step, dead, interval);
        }
        return dead;
    }

    /** Every parameter reported so far. */
    public Set<String> reported() {
        return Collections.unmodifiableSet(reported);
    }
}
