package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Finite-difference sliced score matching (Pang, Xu, Li, Song, Ermon and Zhu, "Efficient Learning of
 * Generative Models via Finite-Difference Score Matching", NeurIPS 2020): SSM whose curvature vᵀ(∇ₓs)v is
 * a central difference along v, so only forward passes and first-order backprop to the weights are
 * needed — no JVP, no VJP in the graph.
 *
 * <ul>
 *   <li>Score network, from s₊ = s(x + εv) and s₋ = s(x − εv) (2 forward passes):
 *       curvature (vᵀs₊ − vᵀs₋)/(2ε); "projected_norm" ½(vᵀs̄)² or, variance-reduced, "norm" ½‖s̄‖²,
 *       with s̄ = (s₊ + s₋)/2.</li>
 *   <li>Energy model, from E₀ = E(x), E₊, E₋ (3 forward passes): vᵀs = −vᵀ∇E ≈ −(E₊ − E₋)/(2ε) and
 *       vᵀ(∇ₓs)v = −vᵀ∇²E v ≈ −(E₊ − 2E₀ + E₋)/ε². Only the non-VR form: ½‖s‖² would need ∇E.</li>
 * </ul>
 * Every difference is exact for polynomials of degree ≤ 2 (resp. 3 for the energy curvature) along v, so the
 * objective equals {@link SlicedScoreMatching} with the same v up to a bias of O(ε²) (for smooth models);
 * unbiased for c·J_ISM + O(ε²) with c as for SSM. Rounding grows like (machine ε)/ε (energy: /ε²), so in
 * float32 keep ε around 1e-2 (energy: 1e-1); float64 allows 1e-4.
 *
 * @param projection distribution of v
 * @param projections M ≥ 1 projections per example
 * @param epsilon step ε &gt; 0 along v
 * @param varianceReduced ½‖s̄‖² instead of ½(vᵀs̄)² (score networks only)
 *
 * <p>Stability: public API.
 */
public record FiniteDifferenceSsm(@JsonProperty("projection") Projection projection,
                                  @JsonProperty("projections") int projections,
                                  @JsonProperty("epsilon") double epsilon,
                                  @JsonProperty("varianceReduced") boolean varianceReduced)
        implements ScoreMatchingObjective {

    public FiniteDifferenceSsm {
        if (projection == null) {
            throw new IllegalArgumentException("FD-SSM needs a projection distribution");
        }
        if (projections < 1) {
            throw new IllegalArgumentException("The number of projections per example must be at least 1, got "
                    + projections);
        }
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("The finite-difference step ε must be positive and finite, got "
                    + epsilon);
        }
        if (varianceReduced && projection == Projection.UNIT_SPHERE) {
            throw new IllegalArgumentException("The variance-reduced form needs E[vvᵀ] = I; the unit sphere has "
                    + "I/D. Use RADEMACHER, GAUSSIAN or SCALED_SPHERE");
        }
    }

    /** FD-SSM with one projection per example. */
    public static FiniteDifferenceSsm of(Projection projection, double epsilon) {
        return new FiniteDifferenceSsm(projection, 1, epsilon, false);
    }

    /** The variance-reduced form (score networks only). */
    public FiniteDifferenceSsm varianceReducedForm() {
        return new FiniteDifferenceSsm(projection, projections, epsilon, true);
    }

    /** The same objective with {@code m} projections per example. */
    public FiniteDifferenceSsm withProjections(int m) {
        return new FiniteDifferenceSsm(projection, m, epsilon, varianceReduced);
    }

    @Override
    public String name() {
        return varianceReduced ? "fd-ssm-vr" : "fd-ssm";
    }

    @Override
    public List<String> termNames() {
        return List.of(varianceReduced ? "norm" : "projected_norm", "curvature");
    }

    /** Forward passes per projection: x ± εv, and x itself for an energy model. */
    private int blocks(ScoreFunction model) {
        return model.kind() == ScoreFunction.Kind.ENERGY ? 3 : 2;
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        ScoreFunction model = graph.model();
        Objectives.requireUnconditional(graph, name());
        SDVariable v = graph.flatten(graph.placeholderLikeInput("projection"));
        if (model.kind() == ScoreFunction.Kind.ENERGY) {
            if (varianceReduced) {
                throw new IllegalArgumentException("FD-SSM's variance-reduced form needs ½‖s‖² = ½‖∇E‖², which a "
                        + "finite difference along v does not give; use the standard form for energy models");
            }
            SDVariable[] e = graph.sd().unstack(graph.sd().reshape(model.energy(), 3, -1), 0, 3);
            SDVariable slope = e[1].sub(e[2]).div(2 * epsilon).neg();                  // vᵀs ≈ −vᵀ∇E
            SDVariable curvature = e[1].add(e[2]).sub(e[0].mul(2)).div(-epsilon * epsilon); // vᵀ(∇s)v
            graph.rowTerm("projected_norm", slope.mul(slope), 0.5);
            graph.rowTerm("curvature", curvature, 1.0);
            return;
        }
        long d = model.dimension();
        SDVariable[] s = graph.sd().unstack(graph.sd().reshape(model.score(), 2, -1, d), 0, 2);
        SDVariable plus = graph.rowSum(v.mul(s[0]));
        SDVariable minus = graph.rowSum(v.mul(s[1]));
        if (varianceReduced) {
            SDVariable mean = s[0].add(s[1]).mul(0.5);
            graph.elementTerm("norm", mean.mul(mean), 0.5);
        } else {
            SDVariable mean = plus.add(minus).mul(0.5);
            graph.rowTerm("projected_norm", mean.mul(mean), 0.5);
        }
        graph.rowTerm("curvature", plus.sub(minus), 1.0 / (2 * epsilon));
    }

    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        return new SlicedScoreMatching(projection, projections, false).draw(model, batchSize, rng);
    }

    /** Rows {@code [block·rows, (block + 1)·rows)} of {@code a}: a view. */
    private static INDArray rowBlock(INDArray a, int block, long rows) {
        return a.get(NDArrayIndex.interval(block * rows, (block + 1) * rows));
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        INDArray v = Objectives.requireProjections(draws, projections, batch);
        INDArray x = Batch.tile(batch.x(), projections);
        // [x;] x + εv; x − εv, stacked along the rows: the operations of x.add(v.mul(ε)) and x.sub(v.mul(ε)),
        // so the same values, written into one kept array block by block
        int blocks = blocks(batch.model());
        long rows = x.size(0);
        long[] shape = x.shape().clone();
        shape[0] = blocks * rows;
        INDArray input = Objectives.kept(shape, x.dataType());
        int b = 0;
        if (blocks == 3) {
            rowBlock(input, b++, rows).assign(x);
        }
        rowBlock(input, b++, rows).assign(v).muli(epsilon).addi(x);
        rowBlock(input, b, rows).assign(v).muli(epsilon).rsubi(x);
        return List.of(Map.of(
                batch.model().input().name(), input,
                TermBuilder.PREFIX + "projection", v,
                TermBuilder.PREFIX + "row_weight", batch.rowWeights(projections, null)));
    }
}
