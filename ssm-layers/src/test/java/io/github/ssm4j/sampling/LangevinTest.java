package io.github.ssm4j.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.ssm4j.model.ScoreFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Langevin dynamics on a Gaussian with a known score. The unadjusted scheme's stationary law is known
 * exactly for a Gaussian, x' = (1 − αp)x + √(2α)z, variance 1/(p(1 − αp/2)); the tests compare against
 * it within five Monte Carlo standard errors (chains are independent rows).
 */
class LangevinTest {
    private static final int CHAINS = 20000;

    @Test
    void samplesReachTheExactStationaryLawOfTheScheme() {
        double p = 2.0;   // precision; s(x) = −p(x − μ)
        double mu = 1.5;
        double alpha = 0.1;
        ScoreOracle score = (x, sigma) -> x.sub(mu).muli(-p);
        INDArray samples = new Langevin(score, 3).sample(Nd4j.zeros(DataType.DOUBLE, CHAINS, 1), alpha, 200);
        double mean = samples.meanNumber().doubleValue();
        double var = samples.varNumber().doubleValue();
        double expectedVar = 1 / (p * (1 - alpha * p / 2));
        // after 200 steps the contraction (1 − αp)^200 ≈ 1e-20 has forgotten the start
        assertEquals(mu, mean, 5 * Math.sqrt(expectedVar / CHAINS));
        assertEquals(expectedVar, var, 5 * expectedVar * Math.sqrt(2.0 / CHAINS));
    }

    @Test
    void aSameDiffEnergyModelDrivesTheSamplerThroughItsScore() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        // E(x) = ½p‖x − μ‖² with p = 2: s = −∇E = −p(x − μ), each coordinate an independent chain
        SDVariable e = x.sub(1.5).mul(x.sub(1.5)).sum(1);
        INDArray samples = new Langevin(ScoreOracle.of(ScoreFunction.ofEnergy(x, e)), 4)
                .sample(Nd4j.zeros(DataType.DOUBLE, CHAINS / 2, 2), 0.1, 200);
        double expectedVar = 1 / (2.0 * (1 - 0.1));
        assertEquals(1.5, samples.meanNumber().doubleValue(), 5 * Math.sqrt(expectedVar / CHAINS));
        assertEquals(expectedVar, samples.varNumber().doubleValue(), 5 * expectedVar * Math.sqrt(2.0 / CHAINS));
    }

    @Test
    void annealedLangevinWithTheNoisedScoreEndsAtTheDataLaw() {
        // data N(0, 1); the noised density at σ is N(0, 1 + σ²) with score −x/(1 + σ²)
        ScoreOracle noised = (x, sigma) -> x.div(-(1 + sigma * sigma));
        double[] sigmas = {3.0, 1.0, 0.3, 0.1};
        double eps = 0.01;
        INDArray samples = new Langevin(noised, 5).annealed(Nd4j.zeros(DataType.DOUBLE, CHAINS, 1), sigmas, eps, 300);
        double alpha = eps;                                  // last level: α = ε
        double p = 1 / (1 + 0.01);
        double expectedVar = 1 / (p * (1 - alpha * p / 2));
        assertEquals(0, samples.meanNumber().doubleValue(), 5 * Math.sqrt(expectedVar / CHAINS));
        // 300 steps at α = 0.01 leave (1 − αp)^600 ≈ e^-6 of the previous level's variance offset (≈ 0.1): ≈ 2e-4
        assertEquals(expectedVar, samples.varNumber().doubleValue(), 5 * expectedVar * Math.sqrt(2.0 / CHAINS) + 1e-3);
    }

    @Test
    void badSettingsAreRefused() {
        Langevin l = new Langevin((x, s) -> x, 1);
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> l.sample(x, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> l.annealed(x, new double[] {0.1, 1}, 0.1, 10));
        assertThrows(ArithmeticException.class, () -> new Langevin((y, s) -> Nd4j.valueArrayOf(y.shape(), Double.NaN, DataType.DOUBLE), 1).sample(x, 0.1, 1));
    }
}
