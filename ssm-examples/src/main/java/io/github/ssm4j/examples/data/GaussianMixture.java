package io.github.ssm4j.examples.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A mixture of Gaussians p(x) = Σₖ wₖ N(x; μₖ, Σₖ) in any dimension, with everything exact: samples,
 * the normalised log-density (log-sum-exp over components) and the score
 * ∇ log p(x) = Σₖ γₖ(x)·(−Σₖ⁻¹(x − μₖ)), γₖ the posterior component probabilities. Mean and covariance
 * are exact too ({@link #mean()}, {@link #covariance()}).
 *
 * <p>The command line's {@code gaussian-mixture} is {@link #eightGaussians()}.
 *
 * <p>Stability: public API.
 */
public final class GaussianMixture implements ToyDistribution {
    private final int d;
    private final double[] weights;
    private final double[] logWeights;
    private final double[][] means;
    private final double[][][] covariances;
    private final double[][][] chol;
    private final double[] logNorm;
    private final String description;

    /**
     * @param weights positive, summing to 1 (within 1e-9; renormalised exactly)
     * @param means one d-vector per component
     * @param covariances one symmetric positive-definite d×d matrix per component
     */
    public GaussianMixture(double[] weights, double[][] means, double[][][] covariances) {
        int k = weights.length;
        if (k == 0 || means.length != k || covariances.length != k) {
            throw new IllegalArgumentException("Need as many weights, means and covariances (>= 1), got "
                    + k + ", " + means.length + ", " + covariances.length);
        }
        this.d = means[0].length;
        double sum = 0;
        for (double w : weights) {
            if (!(w > 0)) {
                throw new IllegalArgumentException("Weights must be positive, got " + Arrays.toString(weights));
            }
            sum += w;
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("Weights must sum to 1, got " + sum);
        }
        this.weights = new double[k];
        this.logWeights = new double[k];
        this.means = new double[k][];
        this.covariances = new double[k][][];
        this.chol = new double[k][][];
        this.logNorm = new double[k];
        for (int c = 0; c < k; c++) {
            this.weights[c] = weights[c] / sum;
            this.logWeights[c] = Math.log(this.weights[c]);
            if (means[c].length != d || covariances[c].length != d) {
                throw new IllegalArgumentException("Component " + c + " is not of dimension " + d);
            }
            this.means[c] = means[c].clone();
            this.covariances[c] = new double[d][];
            for (int i = 0; i < d; i++) {
                if (covariances[c][i].length != d) {
                    throw new IllegalArgumentException("Covariance " + c + " is not " + d + "×" + d);
                }
                this.covariances[c][i] = covariances[c][i].clone();
            }
            this.chol[c] = cholesky(this.covariances[c], c);
            double logDet = 0;
            for (int i = 0; i < d; i++) {
                logDet += 2 * Math.log(chol[c][i][i]);
            }
            this.logNorm[c] = -d * Normal.LOG_SQRT_2PI - 0.5 * logDet;
        }
        this.description = k + " Gaussians in " + d + "-D";
    }

    /** Isotropic components N(μₖ, σₖ²I). */
    public static GaussianMixture isotropic(double[] weights, double[][] means, double[] sigmas) {
        double[][][] cov = new double[weights.length][][];
        for (int c = 0; c < weights.length; c++) {
            int dim = means[c].length;
            cov[c] = new double[dim][dim];
            for (int i = 0; i < dim; i++) {
                cov[c][i][i] = sigmas[c] * sigmas[c];
            }
        }
        return new GaussianMixture(weights, means, cov);
    }

    /** The command line's {@code gaussian-mixture}: 8 equal-weight N(μₖ, 0.2²I), μₖ on the circle of radius 2. */
    public static GaussianMixture eightGaussians() {
        double[] w = new double[8];
        double[][] mu = new double[8][];
        double[] sigma = new double[8];
        for (int c = 0; c < 8; c++) {
            w[c] = 1.0 / 8;
            mu[c] = new double[] {2 * Math.cos(c * Math.PI / 4), 2 * Math.sin(c * Math.PI / 4)};
            sigma[c] = 0.2;
        }
        return isotropic(w, mu, sigma);
    }

    private static double[][] cholesky(double[][] a, int component) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                if (Math.abs(a[i][j] - a[j][i]) > 1e-12 * Math.max(1, Math.abs(a[i][j]))) {
                    throw new IllegalArgumentException("Covariance " + component + " is not symmetric");
                }
                double s = a[i][j];
                for (int m = 0; m < j; m++) {
                    s -= l[i][m] * l[j][m];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException("Covariance " + component + " is not positive definite");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    @Override
    public String name() {
        return "gaussian-mixture";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public double scoreAccuracy() {
        return 1e-13;
    }

    public int components() {
        return weights.length;
    }

    public double[] weights() {
        return weights.clone();
    }

    public double[] mean(int component) {
        return means[component].clone();
    }

    public double[][] covariance(int component) {
        double[][] out = new double[d][];
        for (int i = 0; i < d; i++) {
            out[i] = covariances[component][i].clone();
        }
        return out;
    }

    /** The mixture's mean Σ wₖμₖ. */
    public double[] mean() {
        double[] m = new double[d];
        for (int c = 0; c < weights.length; c++) {
            for (int i = 0; i < d; i++) {
                m[i] += weights[c] * means[c][i];
            }
        }
        return m;
    }

    /** The mixture's covariance Σ wₖ(Σₖ + μₖμₖᵀ) − mmᵀ. */
    public double[][] covariance() {
        double[] m = mean();
        double[][] s = new double[d][d];
        for (int c = 0; c < weights.length; c++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    s[i][j] += weights[c] * (covariances[c][i][j] + means[c][i] * means[c][j]);
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                s[i][j] -= m[i] * m[j];
            }
        }
        return s;
    }

    @Override
    public List<String> componentNames() {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < weights.length; c++) {
            names.add("component-" + c);
        }
        return names;
    }

    /** Component log-densities plus log-weights; the whitened residual z = L⁻¹(x − μ) of each into zs. */
    private double[] logTerms(double[] x, double[][] zs) {
        checkPoint(x);
        double[] t = new double[weights.length];
        for (int c = 0; c < weights.length; c++) {
            double[] z = zs[c];
            double q = 0;
            for (int i = 0; i < d; i++) {
                double s = x[i] - means[c][i];
                for (int m = 0; m < i; m++) {
                    s -= chol[c][i][m] * z[m];
                }
                z[i] = s / chol[c][i][i];
                q += z[i] * z[i];
            }
            t[c] = logWeights[c] + logNorm[c] - 0.5 * q;
        }
        return t;
    }

    @Override
    public double logDensity(double[] x) {
        double[] t = logTerms(x, new double[weights.length][d]);
        return Normal.logSumExp(t, t.length);
    }

    @Override
    public double[] score(double[] x) {
        double[][] zs = new double[weights.length][d];
        double[] t = logTerms(x, zs);
        double lse = Normal.logSumExp(t, t.length);
        double[] s = new double[d];
        for (int c = 0; c < weights.length; c++) {
            double gamma = Math.exp(t[c] - lse);
            if (gamma == 0) {
                continue;
            }
            // Σ⁻¹(x − μ) = L⁻ᵀ z
            double[] z = zs[c];
            double[] u = new double[d];
            for (int i = d - 1; i >= 0; i--) {
                double v = z[i];
                for (int m = i + 1; m < d; m++) {
                    v -= chol[c][m][i] * u[m];
                }
                u[i] = v / chol[c][i][i];
            }
            for (int i = 0; i < d; i++) {
                s[i] -= gamma * u[i];
            }
        }
        return s;
    }

    @Override
    public int sample(SplittableRandom rng, double[] out) {
        double r = rng.nextDouble();
        int c = 0;
        double acc = weights[0];
        while (r >= acc && c < weights.length - 1) {
            acc += weights[++c];
        }
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
            z[i] = rng.nextGaussian();
        }
        for (int i = 0; i < d; i++) {
            double v = means[c][i];
            for (int m = 0; m <= i; m++) {
                v += chol[c][i][m] * z[m];
            }
            out[i] = v;
        }
        return c;
    }

    /** The mixture convolved with N(0, σ²I): every Σₖ becomes Σₖ + σ²I (exact). */
    @Override
    public GaussianMixture perturbed(double sigma) {
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("σ must be >= 0, got " + sigma);
        }
        double[][][] cov = new double[weights.length][][];
        for (int c = 0; c < weights.length; c++) {
            cov[c] = covariance(c);
            for (int i = 0; i < d; i++) {
                cov[c][i][i] += sigma * sigma;
            }
        }
        return new GaussianMixture(weights, means, cov);
    }

    private void checkPoint(double[] x) {
        if (x.length != d) {
            throw new IllegalArgumentException("Expected a point of dimension " + d + ", got " + x.length);
        }
    }
}
