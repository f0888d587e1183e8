package io.github.ssm4j.objective;

import io.github.ssm4j.autodiff.Jvp;
import io.github.ssm4j.model.ScoreFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Implicit score matching (Hyvärinen, "Estimation of non-normalized statistical models by score matching",
 * JMLR 2005) with the exact trace: per example ½‖s‖² + tr(∇ₓs); terms "norm" and "trace". Exact, so J_ISM
 * itself (no randomness); costs D Jacobian-vector products per example.
 *
 * <p>The D diagonal entries eᵢᵀ(∇ₓs)eᵢ come from one batched pass: the batch is tiled D times, copy i with
 * the one-hot tangent eᵢ. With {@code chunkSize = k > 0} the coordinates are processed k at a time (k copies
 * of the batch in memory instead of D) and the chunks' losses and gradients summed: same result, bounded
 * memory, for large D.
 *
 * @param chunkSize coordinates per pass; 0 for all D in one pass
 *
 * <p>Stability: public API.
 */
public record ImplicitScoreMatching(@JsonProperty("chunkSize") int chunkSize) implements ScoreMatchingObjective {

    public ImplicitScoreMatching {
        if (chunkSize < 0) {
            throw new IllegalArgumentException("chunkSize must be 0 (all coordinates at once) or positive, got "
                    + chunkSize);
        }
    }

    /** The exact trace from all D coordinates in one pass. */
    public static ImplicitScoreMatching exact() {
        return new ImplicitScoreMatching(0);
    }

    /** The same objective, {@code k} coordinates per pass. */
    public ImplicitScoreMatching withChunkSize(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("Chunk size must be at least 1, got " + k);
        }
        return new ImplicitScoreMatching(k);
    }

    @Override
    public String name() {
        return "ism";
    }

    @Override
    public List<String> termNames() {
        return List.of("norm", "trace");
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        ScoreFunction model = graph.model();
        Objectives.requireUnconditional(graph, name());
        SDVariable tangent = graph.placeholderLikeInput("coordinate");
        SDVariable s = model.score();
        SDVariable jv = Jvp.of(s, model.input(), tangent);
        SDVariable sFlat = graph.flatten(s);
        graph.elementTerm("norm", sFlat.mul(sFlat), 0.5);
        // rows carry weight w/D (D copies of each example); the trace sums the D diagonal entries, hence × D
        graph.elementTerm("trace", graph.flatten(tangent).mul(graph.flatten(jv)), model.dimension());
    }

    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        return RandomDraws.none();
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        int d = Math.toIntExact(batch.model().dimension());
        int k = chunkSize == 0 ? d : Math.min(chunkSize, d);
        int n = batch.size();
        List<Map<String, INDArray>> feeds = new ArrayList<>();
        for (int first = 0; first < d; first += k) {
            int count = Math.min(k, d - first);
            double[] oneHot = new double[count * n * d];
            for (int j = 0; j < count; j++) {
                for (int i = 0; i < n; i++) {
                    oneHot[(j * n + i) * d + first + j] = 1.0;
                }
            }
            long[] rows = batch.x().shape().clone();
            rows[0] = (long) count * n;
            feeds.add(Map.of(
                    batch.model().input().name(), Batch.tile(batch.x(), count),
                    TermBuilder.PREFIX + "coordinate", Nd4j.create(oneHot, rows).castTo(batch.dataType()),
                    TermBuilder.PREFIX + "row_weight", batch.rowWeights(count, d, null)));
        }
        return feeds;
    }
}
