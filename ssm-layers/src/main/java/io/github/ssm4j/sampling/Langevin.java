package io.github.ssm4j.sampling;

import io.github.ssm4j.util.Finiteness;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Langevin dynamics driven by a score: x ← x + α·s(x) + √(2α)·z, z ~ N(0, I) (the unadjusted Langevin
 * algorithm). For small α and many steps the samples approach the density whose score s is; the step size
 * adds a bias of order α (for a Gaussian with precision p, the stationary variance is
 * 1/(p(1 − αp/2)) instead of 1/p).
 *
 * <p>{@link #annealed} runs the scheme of Song and Ermon ("Generative Modeling by Estimating Gradients of
 * the Data Distribution", NeurIPS 2019, Algorithm 1) for noise-conditional scores s(x, σ): for each σᵢ of a
 * decreasing schedule, {@code steps} Langevin steps with α = ε·σᵢ²/σ_L².
 *
 * <p>Noise comes from a seeded generator: the same seed gives the same samples.
 *
 * <p>Stability: public API.
 */
public final class Langevin {
    private final ScoreOracle score;
    private final SplittableRandom rng;
    private IntConsumer progress = step -> { };

    public Langevin(ScoreOracle score, long seed) {
        this.score = score;
        this.rng = new SplittableRandom(seed);
    }

    /** Called with the number of steps done so far, after every step (e.g. for a progress bar). */
    public Langevin onStep(IntConsumer progress) {
        this.progress = progress;
        return this;
    }

    /** {@code steps} Langevin steps of size {@code stepSize} from {@code start} (not modified). */
    public INDArray sample(INDArray start, double stepSize, int steps) {
        requirePositive(stepSize, "step size");
        INDArray x = start.dup();
        for (int i = 0; i < steps; i++) {
            step(x, stepSize, Double.NaN);
            progress.accept(i + 1);
        }
        return x;
    }

    /**
     * Annealed Langevin dynamics over {@code sigmas} (decreasing), {@code stepsPerLevel} steps per level with
     * α = ε·σᵢ²/σ_L²; returns the final samples.
     */
    public INDArray annealed(INDArray start, double[] sigmas, double epsilon, int stepsPerLevel) {
        requirePositive(epsilon, "ε");
        if (sigmas.length == 0) {
            throw new IllegalArgumentException("Annealed Langevin needs at least one noise level");
        }
        for (int i = 1; i < sigmas.length; i++) {
            if (!(sigmas[i] <= sigmas[i - 1])) {
                throw new IllegalArgumentException("Noise levels must decrease, got " + Arrays.toString(sigmas));
            }
        }
        double last = sigmas[sigmas.length - 1];
        INDArray x = start.dup();
        int done = 0;
        for (double sigma : sigmas) {
            requirePositive(sigma, "σ");
            double alpha = epsilon * sigma * sigma / (last * last);
            for (int i = 0; i < stepsPerLevel; i++) {
                step(x, alpha, sigma);
                progress.accept(++done);
            }
        }
        return x;
    }

    private void step(INDArray x, double alpha, double sigma) {
        INDArray s = score.score(x, sigma);
        if (!Finiteness.sumIsFinite(s)) {
            throw new ArithmeticException("The score is not finite during Langevin sampling (σ = " + sigma
                    + ", step size " + alpha + "); reduce the step size");
        }
        double[] z = new double[(int) x.length()];
        for (int i = 0; i < z.length; i++) {
            z[i] = rng.nextGaussian();
        }
        INDArray noise = Nd4j.create(z, x.shape()).castTo(x.dataType());
        x.addi(s.castTo(x.dataType()).muli(alpha)).addi(noise.muli(Math.sqrt(2 * alpha)));
    }

    private static void requirePositive(double v, String what) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("The " + what + " must be positive and finite, got " + v);
        }
    }
}
