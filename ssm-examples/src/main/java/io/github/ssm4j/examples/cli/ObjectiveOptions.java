package io.github.ssm4j.examples.cli;

import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.FiniteDifferenceSsm;
import io.github.ssm4j.objective.ImplicitScoreMatching;
import io.github.ssm4j.objective.MaximumLikelihood;
import io.github.ssm4j.objective.NoisedData;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import picocli.CommandLine.Option;

/** The objective and its options, shared by the subcommands that train or evaluate. */
final class ObjectiveOptions {
    /** The objectives by CLI name. */
    enum Kind {
        ssm, ssm_vr, ism, dsm, fd_ssm, mle;

        static Kind parse(String s) {
            try {
                return valueOf(s.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown objective '" + s + "'; accepted: ssm, ssm-vr, ism, dsm, fd-ssm, mle");
            }
        }
    }

    @Option(names = "--objective", paramLabel = "NAME",
            description = "ssm, ssm-vr, ism, dsm, fd-ssm, or mle (maximum likelihood; normalised models such as nice only) "
                    + "(default: the recipe's, usually ssm-vr)")
    String objective;

    @Option(names = "--projection", paramLabel = "DIST", defaultValue = "RADEMACHER",
            description = "projection distribution for ssm, ssm-vr, fd-ssm: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Projection projection;

    @Option(names = "--projections", paramLabel = "M", defaultValue = "1",
            description = "projections per example, M ≥ 1 (default: ${DEFAULT-VALUE})")
    int projections;

    @Option(names = "--sigma", paramLabel = "σ", defaultValue = "0.1",
            description = "noise level for dsm (default: ${DEFAULT-VALUE})")
    double sigma;

    @Option(names = "--epsilon", paramLabel = "ε", defaultValue = "0.01",
            description = "finite-difference step for fd-ssm (default: ${DEFAULT-VALUE})")
    double epsilon;

    @Option(names = "--data-noise", paramLabel = "σ",
            description = "apply the objective to data + N(0, σ²) drawn afresh each step (ssm, ssm-vr, ism, fd-ssm): "
                    + "fits the smoothed density's score, which keeps the objective bounded on data with hard edges "
                    + "such as dequantised pixels (default: none)")
    Double dataNoise;

    /** The chosen objective, or {@code fallback} when none was named; on noised data if --data-noise is given. */
    ScoreMatchingObjective resolve(ScoreMatchingObjective fallback) {
        ScoreMatchingObjective chosen = objective == null ? fallback : named();
        return dataNoise == null ? chosen : NoisedData.of(chosen, dataNoise);
    }

    private ScoreMatchingObjective named() {
        return switch (Kind.parse(objective)) {
            case ssm -> new SlicedScoreMatching(projection, projections, false);
            case ssm_vr -> new SlicedScoreMatching(projection, projections, true);
            case ism -> ImplicitScoreMatching.exact();
            case dsm -> DenoisingScoreMatching.withSigma(sigma);
            case fd_ssm -> new FiniteDifferenceSsm(projection, projections, epsilon, false);
            case mle -> MaximumLikelihood.of();
        };
    }
}
