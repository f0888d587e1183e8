package io.github.ssm4j.examples.data;

import java.util.SplittableRandom;

/** Numerical helpers for the toy tests: finite differences, moments with standard errors, quadrature. */
final class ToyAssertions {
    private ToyAssertions() {
    }

    /** Central differences of log p at x with step h (float64). */
    static double[] finiteDifferenceScore(ToyDistribution p, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] a = x.clone();
            double[] b = x.clone();
            a[i] += h;
            b[i] -= h;
            g[i] = (p.logDensity(a) - p.logDensity(b)) / (2 * h);
        }
        return g;
    }

    /** n samples in float64 rows. */
    static double[][] samples(ToyDistribution p, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] out = new double[n][p.dimension()];
        for (int i = 0; i < n; i++) {
            p.sample(rng, out[i]);
        }
        return out;
    }

    /** Mean of f over the rows, and its standard error. */
    static double[] meanAndError(double[][] rows, java.util.function.ToDoubleFunction<double[]> f) {
        double s = 0;
        double s2 = 0;
        for (double[] r : rows) {
            double v = f.applyAsDouble(r);
            s += v;
            s2 += v * v;
        }
        int n = rows.length;
        double mean = s / n;
        double var = Math.max(0, s2 / n - mean * mean) * n / (n - 1);
        return new double[] {mean, Math.sqrt(var / n)};
    }

    /**
     * ∫ f over the box [x0, x1] × [y0, y1] by tensor Gauss–Legendre of order q on square panels of side h
     * (the box is cut into whole panels, rounding the count up).
     */
    static double integrate2d(java.util.function.ToDoubleBiFunction<Double, Double> f, double x0, double x1,
            double y0, double y1, double h, int q) {
        GaussLegendre gl = new GaussLegendre(q);
        int nx = (int) Math.ceil((x1 - x0) / h);
        int ny = (int) Math.ceil((y1 - y0) / h);
        double hx = (x1 - x0) / nx;
        double hy = (y1 - y0) / ny;
        double total = 0;
        for (int i = 0; i < nx; i++) {
            for (int a = 0; a < q; a++) {
                double x = x0 + hx * (i + 0.5 + 0.5 * gl.nodes[a]);
                double wx = 0.5 * hx * gl.weights[a];
                for (int j = 0; j < ny; j++) {
                    for (int b = 0; b < q; b++) {
                        double y = y0 + hy * (j + 0.5 + 0.5 * gl.nodes[b]);
                        total += wx * 0.5 * hy * gl.weights[b] * f.applyAsDouble(x, y);
                    }
                }
            }
        }
        return total;
    }
}
