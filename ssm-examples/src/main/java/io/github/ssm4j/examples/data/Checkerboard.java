package io.github.ssm4j.examples.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A checkerboard: the uniform density on the black squares of an n×n board of squares of side h
 * centred at the origin, convolved with N(0, σ²I). Square (i, j) (column i, row j, counted from the lower
 * left) is black when i + j is even; with the default 4×4 board of unit squares on [−2, 2]² these are the
 * squares where ⌊x₁⌋ + ⌊x₂⌋ is even. Sampling: a black square uniformly, a point uniform in it, plus
 * Gaussian noise.
 *
 * <p>Density. The convolution of a square's indicator with an isotropic Gaussian factorises into
 * one-dimensional interval masses, so
 * <pre>
 *   p(x) = 1/(B h²) Σ_{black (i,j)} F(x₁; aᵢ, aᵢ + h) · F(x₂; a_j, a_j + h),
 *   F(t; a, b) = Φ((b − t)/σ) − Φ((a − t)/σ),
 * </pre>
 * B the number of black squares: closed form in the normal CDF Φ, normalised. The score is
 * Σ πₛ (∂ log F₁, ∂ log F₂) with πₛ the posterior square probabilities and
 * ∂ₜ log F = (φ(u) − φ(v))/(σF), u = (a − t)/σ, v = (b − t)/σ. Off the interval both are evaluated from
 * the far tail, log Q and the inverse Mills ratio of the scaled complementary error function erfcx
 * (series below 1.5, continued fraction above, see {@code Normal}), so that they stay finite and
 * accurate hundreds of σ away from the board, where Φ differences would underflow or cancel.
 *
 * <p>Accuracy: the score is the closed form up to the evaluation of erfcx (relative error below 1e-14);
 * {@code ToyScoreTest} checks p and the score against an independent two-dimensional Gauss–Legendre
 * integration of the Gaussian over the squares and against central differences of log p.
 * {@link #scoreAccuracy()} states 1e-12.
 *
 * <p>Moments of the default board: E[x] = 0, E[x₁²] = E[x₂²] = 5/4 + 1/12 + σ², E[x₁x₂] = ¼.
 *
 * <p>Stability: public API.
 */
public final class Checkerboard implements ToyDistribution {
    private final int cells;
    private final double side;
    private final double sigma;
    private final double lo;
    private final int[][] black;
    private final double logNorm;

    /**
     * @param cells squares per side (n ≥ 1)
     * @param side the side h of a square
     * @param sigma the Gaussian blur σ
     */
    public Checkerboard(int cells, double side, double sigma) {
        if (cells < 1 || !(side > 0) || !(sigma > 0) || Double.isInfinite(side) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("Need cells >= 1, side > 0 and σ > 0, got " + cells + ", "
                    + side + ", " + sigma);
        }
        this.cells = cells;
        this.side = side;
        this.sigma = sigma;
        this.lo = -0.5 * cells * side;
        List<int[]> sq = new ArrayList<>();
        for (int i = 0; i < cells; i++) {
            for (int j = 0; j < cells; j++) {
                if ((i + j) % 2 == 0) {
                    sq.add(new int[] {i, j});
                }
            }
        }
        this.black = sq.toArray(new int[0][]);
        this.logNorm = -Math.log(black.length * side * side);
    }

    /** The command line's {@code checkerboard}: 4×4 unit squares on [−2, 2]², σ = 0.05. */
    public static Checkerboard defaults() {
        return new Checkerboard(4, 1.0, 0.05);
    }

    public double sigma() {
        return sigma;
    }

    @Override
    public String name() {
        return "checkerboard";
    }

    @Override
    public String description() {
        return cells + "×" + cells + " checkerboard of side " + side + " on [" + lo + ", " + (-lo) + "]², σ = "
                + sigma;
    }

    @Override
    public int dimension() {
        return 2;
    }

    @Override
    public double scoreAccuracy() {
        return 1e-12;
    }

    @Override
    public List<String> componentNames() {
        List<String> names = new ArrayList<>();
        for (int[] s : black) {
            names.add("square-" + s[0] + "-" + s[1]);
        }
        return names;
    }

    /** Lower-left corners of the black squares, in the order of {@link #componentNames()}. */
    public double[][] blackSquareCorners() {
        double[][] out = new double[black.length][];
        for (int k = 0; k < black.length; k++) {
            out[k] = new double[] {lo + black[k][0] * side, lo + black[k][1] * side};
        }
        return out;
    }

    public double side() {
        return side;
    }

    @Override
    public double logDensity(double[] x) {
        double[][] f = marginals(x);
        double[] t = terms(f);
        return logNorm + Normal.logSumExp(t, t.length);
    }

    @Override
    public double[] score(double[] x) {
        double[][] f = marginals(x);
        double[] t = terms(f);
        double lse = Normal.logSumExp(t, t.length);
        double s0 = 0;
        double s1 = 0;
        for (int k = 0; k < black.length; k++) {
            double w = Math.exp(t[k] - lse);
            s0 += w * f[1][black[k][0]];
            s1 += w * f[3][black[k][1]];
        }
        return new double[] {s0, s1};
    }

    @Override
    public int sample(SplittableRandom rng, double[] out) {
        int k = rng.nextInt(black.length);
        out[0] = lo + (black[k][0] + rng.nextDouble()) * side + sigma * rng.nextGaussian();
        out[1] = lo + (black[k][1] + rng.nextDouble()) * side + sigma * rng.nextGaussian();
        return k;
    }

    /** The board convolved with N(0, s²I): the same board with blur √(σ² + s²) (exact). */
    @Override
    public Checkerboard perturbed(double s) {
        if (!(s >= 0)) {
            throw new IllegalArgumentException("σ must be >= 0, got " + s);
        }
        return new Checkerboard(cells, side, Math.sqrt(sigma * sigma + s * s));
    }

    /** {log F(x₁; column i)}, {∂ log F(x₁)}, {log F(x₂; row j)}, {∂ log F(x₂)}. */
    private double[][] marginals(double[] x) {
        if (x.length != 2) {
            throw new IllegalArgumentException("Expected a 2-D point, got dimension " + x.length);
        }
        double[][] f = new double[4][cells];
        double[] out = new double[2];
        for (int i = 0; i < cells; i++) {
            double a = lo + i * side;
            intervalMass(x[0], a, a + side, sigma, out);
            f[0][i] = out[0];
            f[1][i] = out[1];
            intervalMass(x[1], a, a + side, sigma, out);
            f[2][i] = out[0];
            f[3][i] = out[1];
        }
        return f;
    }

    private double[] terms(double[][] f) {
        double[] t = new double[black.length];
        for (int k = 0; k < black.length; k++) {
            t[k] = f[0][black[k][0]] + f[2][black[k][1]];
        }
        return t;
    }

    /**
     * log F(t; a, b) and ∂ₜ log F for F = Φ((b − t)/σ) − Φ((a − t)/σ) = P(a ≤ t + σZ ≤ b),
     * stable in both tails.
     */
    static void intervalMass(double t, double a, double b, double sigma, double[] out) {
        double u = (a - t) / sigma;
        double v = (b - t) / sigma;
        if (u >= 0) {
            // t left of the interval: F = Q(u) − Q(v), 0 ≤ u < v
            double lqu = Normal.logUpperTail(u);
            double lqv = Normal.logUpperTail(v);
            double ratio = -Math.expm1(lqv - lqu);
            out[0] = lqu + Math.log(ratio);
            out[1] = Normal.inverseMills(u) * -Math.expm1(-0.5 * (v - u) * (v + u)) / ratio / sigma;
        } else if (v <= 0) {
            // t right of the interval: F = Q(−v) − Q(−u), 0 ≤ −v < −u
            double lqv = Normal.logUpperTail(-v);
            double lqu = Normal.logUpperTail(-u);
            double ratio = -Math.expm1(lqu - lqv);
            out[0] = lqv + Math.log(ratio);
            out[1] = -Normal.inverseMills(-v) * -Math.expm1(-0.5 * (u - v) * (u + v)) / ratio / sigma;
        } else {
            // t inside: F = 1 − Q(−u) − Q(v)
            double tails = Normal.upperTail(-u) + Normal.upperTail(v);
            double f = 1 - tails;
            out[0] = Math.log1p(-tails);
            out[1] = (Normal.pdf(u) - Normal.pdf(v)) / (sigma * f);
        }
    }
}
