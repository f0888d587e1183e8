package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Sliced or exact score matching for a noise-conditional model s(x, σ) over a ladder of noise levels — the
 * NCSN set-up (Song and Ermon, NeurIPS 2019) with SSM, SSM-VR, ISM or FD-SSM in place of DSM. Each example
 * draws σ uniformly from {@code sigmas}; the wrapped objective sees x̃ = x + σz and the model is fed that σ;
 * each example's loss is weighted by λ(σ) = σ², as noise-conditional DSM weights it. Unbiased for the mean
 * over levels of σ²·(the wrapped objective's quantity for p_σ = p ∗ N(0, σ²I)) — so, like noise-conditional
 * DSM, it fits s(·, σ) to the score of p_σ at every level, without DSM's regression onto the noise.
 *
 * <p>Closed form for a check: p = N(0, I_D), s(x, σ) = −a x/(1 + σ²); ISM's expected loss at level σ is
 * D(½a² − a)/(1 + σ²), so the ladder's is the mean over levels of σ²·D(½a² − a)/(1 + σ²).
 *
 * @param objective the wrapped objective (sliced, exact or finite-difference; not DSM, which has its own ladder)
 * @param sigmas the noise levels, all positive and finite
 *
 * <p>Stability: public API.
 */
public record NoiseLadder(@JsonProperty("objective") ScoreMatchingObjective objective,
                          @JsonProperty("sigmas") double[] sigmas) implements ScoreMatchingObjective {

    public NoiseLadder {
        if (objective == null) {
            throw new IllegalArgumentException("NoiseLadder needs an objective to apply at each noise level");
        }
        if (objective instanceof DenoisingScoreMatching || objective instanceof NoisedData
                || objective instanceof NoiseLadder) {
            throw new IllegalArgumentException(objective.name() + " already noises the data; use "
                    + "DenoisingScoreMatching.noiseConditional for DSM over a ladder of noise levels");
        }
        sigmas = Objectives.requireNoiseLevels(sigmas, "NoiseLadder");
    }

    /** {@code objective} over the noise levels {@code sigmas}, for a model conditioned on σ. */
    public static NoiseLadder of(ScoreMatchingObjective objective, double[] sigmas) {
        return new NoiseLadder(objective, sigmas);
    }

    @Override
    public String name() {
        return "ncsn-" + objective.name();
    }

    @Override
    public List<String> termNames() {
        return objective.termNames();
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        if (!graph.model().isConditional()) {
            throw new IllegalArgumentException(name() + " needs a model s(x, σ): declare the σ placeholder with "
                    + "ScoreFunction.conditionedOn");
        }
        graph.setNoiseLevelFed(true);
        try {
            objective.defineTerms(graph);
        } finally {
            graph.setNoiseLevelFed(false);
        }
    }

    /** The wrapped objective's draws, with noise z shaped like x and one level index per example. */
    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        RandomDraws inner = objective.draw(model, batchSize, rng);
        if (inner.noise() != null || inner.noiseLevels() != null) {
            throw new IllegalStateException(objective.name() + " draws noise of its own, which NoiseLadder would "
                    + "overwrite");
        }
        INDArray z = Objectives.standardNormal(model, batchSize, rng);
        int[] levels = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            levels[i] = rng.nextInt(sigmas.length);
        }
        return new RandomDraws(inner.projections(), z, levels);
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        INDArray z = draws == null ? null : draws.noise();
        int n = batch.size();
        if (z == null || !Arrays.equals(z.shape(), batch.x().shape()) || draws.noiseLevels() == null
                || draws.noiseLevels().length != n) {
            throw new IllegalArgumentException("A noise ladder needs noise z shaped like x "
                    + Arrays.toString(batch.x().shape()) + " and one level index per example (" + n + "); draw them "
                    + "with ObjectiveGraph.draw");
        }
        z = z.castTo(batch.dataType());
        Batch.requireFinite(z, "The data noise");
        double[] sigma = new double[n];
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            int level = draws.noiseLevels()[i];
            if (level < 0 || level >= sigmas.length) {
                throw new IllegalArgumentException("Noise-level index " + level + " of example " + i
                        + " is outside the ladder's " + sigmas.length + " levels");
            }
            sigma[i] = sigmas[level];
            lambda[i] = sigma[i] * sigma[i];
        }
        INDArray sigmaColumn = Nd4j.createFromArray(sigma).castTo(batch.dataType());
        Batch noised = batch.withX(Objectives.plusScaled(batch.x(), z,
                Objectives.perExample(sigmaColumn, batch.x().rank())), lambda);
        ScoreFunction model = batch.model();
        String input = model.input().name();
        long[] declared = model.noiseLevel().placeholderShape();
        List<Map<String, INDArray>> feeds = new ArrayList<>();
        for (Map<String, INDArray> inner : objective.feeds(noised, new RandomDraws(draws.projections(), null, null))) {
            // the wrapped objective may repeat the batch (M projections, ISM's coordinates), block after block
            int times = Math.toIntExact(inner.get(input).size(0) / n);
            INDArray sigmaRows = Batch.tile(sigmaColumn, times);
            Map<String, INDArray> feed = new HashMap<>(inner);
            feed.put(model.noiseLevel().name(), declared.length == 1 ? sigmaRows : sigmaRows.reshape(sigmaRows.length(), 1));
            feeds.add(feed);
        }
        return feeds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseLadder l && objective.equals(l.objective) && Arrays.equals(sigmas, l.sigmas);
    }

    @Override
    public int hashCode() {
        return 31 * objective.hashCode() + Arrays.hashCode(sigmas);
    }

    @Override
    public String toString() {
        return name() + Arrays.toString(sigmas);
    }
}
