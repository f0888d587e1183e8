package io.github.ssm4j.examples.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Concentric noisy circles in the plane: pick ring k with probability wₖ, a radius R ~ N(rₖ, σₖ²) and an
 * angle θ uniform on [0, 2π); the point is x = R·(cos θ, sin θ). Everything is exact.
 *
 * <p>Density in x-space. The map (R, θ) ↦ x covers the plane twice (R &lt; 0 at θ is −R at θ + π), and
 * its Jacobian is |R|, so with ρ = |x|
 * <pre>
 *   p(x) = g(ρ) / (2πρ),   g(ρ) = Σₖ wₖ [N(ρ; rₖ, σₖ²) + N(ρ; −rₖ, σₖ²)]
 * </pre>
 * (g is the density of |R|, a folded normal), which integrates to 1 over the plane. The score is radial:
 * <pre>
 *   ∇ log p(x) = (g'(ρ)/g(ρ) − 1/ρ) · x/ρ,   g'/g = Σ πₖ± · (−(ρ ∓ rₖ)/σₖ²)
 * </pre>
 * with πₖ± the posterior weights of the 2K Gaussian terms, computed in log space so that it stays finite
 * far from the rings. The 1/ρ factor makes p infinite at the origin (integrably so), where the score is
 * undefined ({@code NaN}); within ρ ≲ σₖ²/rₖ of the origin the −1/ρ term wins and the score points
 * inwards. With the default rings that region has probability below 1e-20.
 *
 * <p>Moments: E[x] = 0 and E[xxᵀ] = ½ Σ wₖ(rₖ² + σₖ²)·I.
 *
 * <p>Stability: public API.
 */
public final class Rings implements ToyDistribution {
    private final double[] weights;
    private final double[] radii;
    private final double[] sigmas;

    public Rings(double[] weights, double[] radii, double[] sigmas) {
        int k = weights.length;
        if (k == 0 || radii.length != k || sigmas.length != k) {
            throw new IllegalArgumentException("Need as many weights, radii and sigmas (>= 1)");
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            if (!(weights[c] > 0) || !(radii[c] > 0) || !(sigmas[c] > 0)) {
                throw new IllegalArgumentException("Weights, radii and sigmas must be positive");
            }
            sum += weights[c];
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("Weights must sum to 1, got " + sum);
        }
        this.weights = new double[k];
        for (int c = 0; c < k; c++) {
            this.weights[c] = weights[c] / sum;
        }
        this.radii = radii.clone();
        this.sigmas = sigmas.clone();
    }

    /** The command line's {@code rings}: radii 1, 2, 3 with weights ∝ radius (1/6, 2/6, 3/6), σ = 0.1. */
    public static Rings defaults() {
        return new Rings(new double[] {1.0 / 6, 2.0 / 6, 3.0 / 6}, new double[] {1, 2, 3},
                new double[] {0.1, 0.1, 0.1});
    }

    @Override
    public String name() {
        return "rings";
    }

    @Override
    public String description() {
        return radii.length + " rings, radii " + Arrays.toString(radii) + ", σ " + Arrays.toString(sigmas)
                + ", weights " + Arrays.toString(weights);
    }

    @Override
    public int dimension() {
        return 2;
    }

    @Override
    public double scoreAccuracy() {
        return 1e-13;
    }

    @Override
    public List<String> componentNames() {
        List<String> names = new ArrayList<>();
        for (double r : radii) {
            names.add("ring-r" + r);
        }
        return names;
    }

    /** E[|x|²] = Σ wₖ(rₖ² + σₖ²). */
    public double meanSquaredRadius() {
        double s = 0;
        for (int c = 0; c < radii.length; c++) {
            s += weights[c] * (radii[c] * radii[c] + sigmas[c] * sigmas[c]);
        }
        return s;
    }

    /** The 2K terms log(wₖ N(ρ; ±rₖ, σₖ²)). */
    private double[] logTerms(double rho) {
        double[] t = new double[2 * radii.length];
        for (int c = 0; c < radii.length; c++) {
            double base = Math.log(weights[c]) - Math.log(sigmas[c]) - Normal.LOG_SQRT_2PI;
            double a = (rho - radii[c]) / sigmas[c];
            double b = (rho + radii[c]) / sigmas[c];
            t[2 * c] = base - 0.5 * a * a;
            t[2 * c + 1] = base - 0.5 * b * b;
        }
        return t;
    }

    @Override
    public double logDensity(double[] x) {
        check(x);
        double rho = Math.hypot(x[0], x[1]);
        if (rho == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double[] t = logTerms(rho);
        return Normal.logSumExp(t, t.length) - Math.log(2 * Math.PI * rho);
    }

    @Override
    public double[] score(double[] x) {
        check(x);
        double rho = Math.hypot(x[0], x[1]);
        if (rho == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] t = logTerms(rho);
        double lse = Normal.logSumExp(t, t.length);
        double dlogg = 0;
        for (int c = 0; c < radii.length; c++) {
            double s2 = sigmas[c] * sigmas[c];
            dlogg += Math.exp(t[2 * c] - lse) * (-(rho - radii[c]) / s2);
            dlogg += Math.exp(t[2 * c + 1] - lse) * (-(rho + radii[c]) / s2);
        }
        double radial = (dlogg - 1 / rho) / rho;
        return new double[] {radial * x[0], radial * x[1]};
    }

    @Override
    public int sample(SplittableRandom rng, double[] out) {
        double u = rng.nextDouble();
        int c = 0;
        double acc = weights[0];
        while (u >= acc && c < weights.length - 1) {
            acc += weights[++c];
        }
        double r = radii[c] + sigmas[c] * rng.nextGaussian();
        double theta = 2 * Math.PI * rng.nextDouble();
        out[0] = r * Math.cos(theta);
        out[1] = r * Math.sin(theta);
        return c;
    }

    private static void check(double[] x) {
        if (x.length != 2) {
            throw new IllegalArgumentException("Expected a 2-D point, got dimension " + x.length);
        }
    }
}
