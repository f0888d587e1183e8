package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Denoising score matching (Vincent, "A connection between score matching and denoising autoencoders",
 * Neural Computation 2011), the baseline the sliced objectives are compared against. Per example
 * ½‖s(x̃) + (x̃ − x)/σ²‖² with x̃ = x + σz, z ~ N(0, I); term "denoising". Unbiased for the Fisher divergence
 * between the model and the noised data density p_σ, up to a constant independent of the model — so it
 * fits the score of p_σ, not of p.
 *
 * <ul>
 *   <li>{@link #withSigma single σ}: one noise level; an unconditional model, or a conditional one that
 *       is fed σ.</li>
 *   <li>{@link #noiseConditional noise-conditional} (Song and Ermon, "Generative Modeling by Estimating
 *       Gradients of the Data Distribution", NeurIPS 2019): a model s(x, σ) conditioned on σ
 *       ({@link ScoreFunction#conditionedOn}); each example draws σ uniformly from the schedule and its loss
 *       is weighted by λ(σ) = σ², so all levels contribute on the same scale. Unbiased for the mean over
 *       levels of σ²·(Fisher divergence to p_σ).</li>
 * </ul>
 *
 * @param sigmas the noise levels (one for single-σ DSM), all positive
 * @param conditional noise-conditional with σ² weighting
 *
 * <p>Stability: public API.
 */
public record DenoisingScoreMatching(@JsonProperty("sigmas") double[] sigmas,
                                     @JsonProperty("conditional") boolean conditional)
        implements ScoreMatchingObjective {

    public DenoisingScoreMatching {
        sigmas = Objectives.requireNoiseLevels(sigmas, "Denoising score matching");
        if (!conditional && sigmas.length != 1) {
            throw new IllegalArgumentException("Several noise levels need a noise-conditional model; use "
                    + "DenoisingScoreMatching.noiseConditional");
        }
    }

    /** Single-σ DSM. */
    public static DenoisingScoreMatching withSigma(double sigma) {
        return new DenoisingScoreMatching(new double[] {sigma}, false);
    }

    /** Noise-conditional DSM over the given levels (see {@link #geometricSchedule}), σ²-weighted. */
    public static DenoisingScoreMatching noiseConditional(double[] sigmas) {
        return new DenoisingScoreMatching(sigmas, true);
    }

    /** {@code levels} noise levels from {@code largest} down to {@code smallest}, in geometric progression. */
    public static double[] geometricSchedule(double largest, double smallest, int levels) {
        if (!(largest > 0) || !(smallest > 0) || smallest > largest || levels < 1) {
            throw new IllegalArgumentException("A geometric schedule needs largest ≥ smallest > 0 and at least one "
                    + "level, got largest=" + largest + ", smallest=" + smallest + ", levels=" + levels);
        }
        double[] s = new double[levels];
        for (int i = 0; i < levels; i++) {
            double t = levels == 1 ? 0 : (double) i / (levels - 1);
            s[i] = largest * Math.pow(smallest / largest, t);
        }
        return s;
    }

    @Override
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public String name() {
        return conditional ? "ncsn-dsm" : "dsm";
    }

    @Override
    public List<String> termNames() {
        return List.of("denoising");
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        ScoreFunction model = graph.model();
        if (conditional && !model.isConditional()) {
            throw new IllegalArgumentException("Noise-conditional DSM needs a model s(x, σ): declare the σ "
                    + "placeholder with ScoreFunction.conditionedOn");
        }
        SDVariable target = graph.placeholderLikeInput("denoising_target");
        SDVariable residual = graph.flatten(model.score()).sub(graph.flatten(target));
        graph.elementTerm("denoising", residual.mul(residual), 0.5);
    }

    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        INDArray noise = Objectives.standardNormal(model, batchSize, rng);
        if (!conditional) {
            return RandomDraws.ofNoise(noise);
        }
        int[] levels = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            levels[i] = rng.nextInt(sigmas.length);
        }
        return RandomDraws.ofNoise(noise, levels);
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        INDArray z = draws == null ? null : draws.noise();
        if (z == null || !Arrays.equals(z.shape(), batch.x().shape())) {
            throw new IllegalArgumentException("DSM needs noise shaped like x " + Arrays.toString(batch.x().shape())
                    + " but got " + (z == null ? "none" : Arrays.toString(z.shape()))
                    + "; draw it with ObjectiveGraph.draw or pass RandomDraws.ofNoise");
        }
        z = z.castTo(batch.dataType());
        Batch.requireFinite(z, "The noise");
        double[] sigma = perExampleSigma(batch.size(), draws.noiseLevels());
        INDArray sigmaColumn = Nd4j.createFromArray(sigma).castTo(batch.dataType());
        INDArray sigmaB = Objectives.perExample(sigmaColumn, batch.x().rank());
        INDArray noisy = Objectives.plusScaled(batch.x(), z, sigmaB);
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(batch.model().input().name(), noisy);
        INDArray target = Objectives.kept(z.shape(), z.dataType()).assign(z).divi(sigmaB).negi(); // −(x̃ − x)/σ² = −z/σ
        feed.put(TermBuilder.PREFIX + "denoising_target", target);
        double[] lambda = null;
        if (conditional) {
            lambda = new double[sigma.length];
            for (int i = 0; i < sigma.length; i++) {
                lambda[i] = sigma[i] * sigma[i];
            }
        }
        feed.put(TermBuilder.PREFIX + "row_weight", batch.rowWeights(1, lambda));
        ScoreFunction model = batch.model();
        if (model.isConditional()) {
            feed.put(model.noiseLevel().name(), sigmaColumn.reshape(noiseShape(model, batch.size())));
        }
        return List.of(feed);
    }

    private double[] perExampleSigma(int n, int[] levels) {
        double[] sigma = new double[n];
        if (!conditional) {
            Arrays.fill(sigma, sigmas[0]);
            return sigma;
        }
        if (levels == null || levels.length != n) {
            throw new IllegalArgumentException("Noise-conditional DSM needs one noise-level index per example ("
                    + n + "), got " + (levels == null ? "none" : levels.length));
        }
        for (int i = 0; i < n; i++) {
            if (levels[i] < 0 || levels[i] >= sigmas.length) {
                throw new IllegalArgumentException("Noise-level index " + levels[i] + " of example " + i
                        + " is outside the schedule's " + sigmas.length + " levels");
            }
            sigma[i] = sigmas[levels[i]];
        }
        return sigma;
    }

    private static long[] noiseShape(ScoreFunction model, int n) {
        long[] declared = model.noiseLevel().placeholderShape();
        return declared.length == 1 ? new long[] {n} : new long[] {n, 1};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenoisingScoreMatching d && conditional == d.conditional && Arrays.equals(sigmas, d.sigmas);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sigmas) + Boolean.hashCode(conditional);
    }

    @Override
    public String toString() {
        return name() + Arrays.toString(sigmas);
    }
}
