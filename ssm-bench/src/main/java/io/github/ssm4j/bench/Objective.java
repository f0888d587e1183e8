package io.github.ssm4j.bench;

import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.FiniteDifferenceSsm;
import io.github.ssm4j.objective.ImplicitScoreMatching;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;

/**
 * The benchmarked training steps. {@link #PLAIN} is the ordinary first-order step of the same network (DL4J's
 * {@code net.fit(x, y)} with its MSE output layer), the yardstick for "how much does score matching cost".
 * The PyTorch script implements each the way the reference code does (see {@code python/torch_bench.py}).
 */
public enum Objective {
    PLAIN("plain"),
    SSM("ssm"),
    SSM_VR("ssm-vr"),
    ISM("ism"),
    DSM("dsm"),
    FD_SSM("fd-ssm");

    /** DSM's noise level and FD-SSM's step, shared with the PyTorch script. */
    public static final double SIGMA = 0.1;
    public static final double EPSILON = 0.01;
    /** ISM's coordinates per pass: 32 one-hot tangents (32·N rows) at a time bounds memory at large D; the
     *  FLOPs are those of the exact all-D pass. */
    public static final int ISM_CHUNK = 32;

    private final String id;

    Objective(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Objective of(String id) {
        for (Objective o : values()) {
            if (o.id.equals(id)) {
                return o;
            }
        }
        throw new IllegalArgumentException("Unknown objective '" + id + "'");
    }

    /** The ssm4j objective; none for {@link #PLAIN}. */
    public ScoreMatchingObjective objective() {
        return switch (this) {
            case PLAIN -> null;
            case SSM -> SlicedScoreMatching.standard(Projection.RADEMACHER);
            case SSM_VR -> SlicedScoreMatching.varianceReduced(Projection.RADEMACHER);
            case ISM -> ImplicitScoreMatching.exact().withChunkSize(ISM_CHUNK);
            case DSM -> DenoisingScoreMatching.withSigma(SIGMA);
            case FD_SSM -> FiniteDifferenceSsm.of(Projection.RADEMACHER, EPSILON);
        };
    }
}
