package io.github.ssm4j.objective;

import io.github.ssm4j.autodiff.Jvp;
import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Sliced score matching (Song, Garg, Shi and Ermon, "Sliced Score Matching", UAI 2019), with M random
 * projections per example, averaged as in the seed note's 1/(NM) double sum.
 *
 * <ul>
 *   <li>{@link #standard SSM}: per example and projection ½(vᵀs)² + vᵀ(∇ₓs)v; terms "projected_norm" and
 *       "curvature". Unbiased for c·J_ISM where E[vvᵀ] = c·I: J_ISM itself for Rademacher, Gaussian and the
 *       √D-scaled sphere, J_ISM/D for the unit sphere (the seed's choice).</li>
 *   <li>{@link #varianceReduced SSM-VR}: ½‖s‖² + vᵀ(∇ₓs)v; terms "norm" and "curvature". Unbiased for J_ISM
 *       when E[vvᵀ] = I (Rademacher, the default, Gaussian or the √D sphere), with lower variance than SSM:
 *       ½(vᵀs)² is replaced by its expectation.</li>
 * </ul>
 * vᵀ(∇ₓs)v is one forward-mode JVP of the score (forward over reverse for an energy model); all M·N
 * projections run as one batch of M·N rows.
 *
 * @param projection distribution of v
 * @param projections M ≥ 1, projections per example
 * @param varianceReduced SSM-VR instead of SSM
 *
 * <p>Stability: public API.
 */
public record SlicedScoreMatching(@JsonProperty("projection") Projection projection,
                                  @JsonProperty("projections") int projections,
                                  @JsonProperty("varianceReduced") boolean varianceReduced)
        implements ScoreMatchingObjective {

    public SlicedScoreMatching {
        if (projection == null) {
            throw new IllegalArgumentException("Sliced score matching needs a projection distribution");
        }
        if (projections < 1) {
            throw new IllegalArgumentException("The number of projections per example must be at least 1, got "
                    + projections);
        }
        if (varianceReduced && projection == Projection.UNIT_SPHERE) {
            throw new IllegalArgumentException("SSM-VR replaces ½(vᵀs)² by ½‖s‖², its expectation only when "
                    + "E[vvᵀ] = I; the unit sphere has E[vvᵀ] = I/D. Use RADEMACHER, GAUSSIAN or SCALED_SPHERE");
        }
    }

    /** SSM with one projection per example. */
    public static SlicedScoreMatching standard(Projection projection) {
        return new SlicedScoreMatching(projection, 1, false);
    }

    /** SSM-VR with one projection per example. */
    public static SlicedScoreMatching varianceReduced(Projection projection) {
        return new SlicedScoreMatching(projection, 1, true);
    }

    /** The same objective with {@code m} projections per example. */
    public SlicedScoreMatching withProjections(int m) {
        return new SlicedScoreMatching(projection, m, varianceReduced);
    }

    @Override
    public String name() {
        return varianceReduced ? "ssm-vr" : "ssm";
    }

    @Override
    public List<String> termNames() {
        return List.of(varianceReduced ? "norm" : "projected_norm", "curvature");
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        ScoreFunction model = graph.model();
        Objectives.requireUnconditional(graph, name());
        SDVariable x = model.input();
        SDVariable v = graph.placeholderLikeInput("projection");
        SDVariable s = model.score();
        SDVariable jv = Jvp.of(s, x, v);
        SDVariable sFlat = graph.flatten(s);
        SDVariable vFlat = graph.flatten(v);
        if (varianceReduced) {
            graph.elementTerm("norm", sFlat.mul(sFlat), 0.5);
        } else {
            SDVariable vs = graph.rowSum(vFlat.mul(sFlat));
            graph.rowTerm("projected_norm", vs.mul(vs), 0.5);
        }
        graph.elementTerm("curvature", vFlat.mul(graph.flatten(jv)), 1.0);
    }

    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        long[] shape = Objectives.stackedShape(projections, batchSize, model);
        int d = Math.toIntExact(model.dimension());
        return RandomDraws.ofProjections(Objectives.drawn(shape, model.dataType(), v -> projection.sample(rng, v, d)));
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        INDArray v = Objectives.requireProjections(draws, projections, batch);
        return List.of(Map.of(
                batch.model().input().name(), Batch.tile(batch.x(), projections),
                TermBuilder.PREFIX + "projection", v,
                TermBuilder.PREFIX + "row_weight", batch.rowWeights(projections, null)));
    }
}
