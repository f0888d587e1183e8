package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scores against log-densities: closed forms (mixture, rings) and numerical ones (moons, checkerboard)
 * equal central differences of log p; the numerical ones also agree with independent brute-force
 * integrals; every density integrates to 1; everything stays finite far away.
 */
class ToyScoreTest {
    private static final double H = 1e-5;

    static GaussianMixture anisotropic() {
        return new GaussianMixture(new double[] {0.2, 0.5, 0.3},
                new double[][] {{-1, 0.5}, {1.5, -0.5}, {0, 2}},
                new double[][][] {{{0.3, 0.1}, {0.1, 0.2}}, {{0.5, -0.3}, {-0.3, 0.4}}, {{0.05, 0}, {0, 0.6}}});
    }

    static List<ToyDistribution> allToys() {
        return List.of(GaussianMixture.eightGaussians(), anisotropic(), Rings.defaults(), TwoMoons.defaults(),
                Checkerboard.defaults());
    }

    /** Points from the samples and from a box around the support. */
    private static List<double[]> probePoints(ToyDistribution p, long seed) {
        List<double[]> pts = new ArrayList<>();
        double[][] s = ToyAssertions.samples(p, 60, seed);
        for (double[] x : s) {
            pts.add(x);
        }
        SplittableRandom rng = new SplittableRandom(seed + 1);
        for (int i = 0; i < 60; i++) {
            pts.add(new double[] {-4 + 8 * rng.nextDouble(), -4 + 8 * rng.nextDouble()});
        }
        return pts;
    }

    private static void assertScoreIsGradient(ToyDistribution p, double relTol) {
        for (double[] x : probePoints(p, 11)) {
            double[] s = p.score(x);
            double[] fd = ToyAssertions.finiteDifferenceScore(p, x, H);
            double scale = 1 + Math.hypot(s[0], s[1]);
            for (int i = 0; i < 2; i++) {
                assertEquals(fd[i], s[i], relTol * scale,
                        p.name() + " ∂" + i + " log p at (" + x[0] + ", " + x[1] + ")");
            }
        }
    }

    @Test
    void closedFormScoresEqualFiniteDifferencesOfLogDensity() {
        assertScoreIsGradient(GaussianMixture.eightGaussians(), 1e-6);
        assertScoreIsGradient(anisotropic(), 1e-6);
        assertScoreIsGradient(Rings.defaults(), 1e-6);
        assertScoreIsGradient(new Rings(new double[] {0.7, 0.3}, new double[] {0.5, 1.5}, new double[] {0.3, 0.2}),
                1e-6);
    }

    @Test
    void numericalScoresEqualFiniteDifferencesOfNumericalLogDensity() {
        assertScoreIsGradient(TwoMoons.defaults(), 1e-6);
        assertScoreIsGradient(new TwoMoons(0.3), 1e-6);
        assertScoreIsGradient(Checkerboard.defaults(), 1e-6);
        assertScoreIsGradient(new Checkerboard(3, 0.7, 0.2), 1e-6);
    }

    /** Moons by composite Simpson over t with 2·10⁵ intervals per moon, straight from the definition. */
    private static double[] bruteForceMoons(double sigma, double[] x) {
        int n = 200_000;
        double p = 0;
        double gx = 0;
        double gy = 0;
        double h = Math.PI / n;
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i <= n; i++) {
                double t = i * h;
                double cx = k == 0 ? Math.cos(t) : 1 - Math.cos(t);
                double cy = k == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
                double dx = x[0] - cx;
                double dy = x[1] - cy;
                double w = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2);
                double dens = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma);
                double v = w * h / 3 * 0.5 / Math.PI * dens;
                p += v;
                gx -= v * dx / (sigma * sigma);
                gy -= v * dy / (sigma * sigma);
            }
        }
        return new double[] {Math.log(p), gx / p, gy / p};
    }

    @Test
    void moonsAgreeWithBruteForceIntegration() {
        TwoMoons moons = TwoMoons.defaults();
        SplittableRandom rng = new SplittableRandom(5);
        List<double[]> pts = new ArrayList<>(List.of(new double[] {0, 1}, new double[] {1, -0.5},
                new double[] {0.5, 0.25}, new double[] {-1, 0}, new double[] {2, 0.5}, new double[] {1, 0.5},
                new double[] {0, 0}, new double[] {-1.3, 0.2}));
        for (int i = 0; i < 12; i++) {
            pts.add(new double[] {-1.5 + 4 * rng.nextDouble(), -1 + 2.5 * rng.nextDouble()});
        }
        for (double[] x : pts) {
            double[] ref = bruteForceMoons(moons.sigma(), x);
            double[] s = moons.score(x);
            String at = " at (" + x[0] + ", " + x[1] + ")";
            assertEquals(ref[0], moons.logDensity(x), 1e-10 * Math.max(1, Math.abs(ref[0])), "log p" + at);
            double scale = 1 + Math.hypot(ref[1], ref[2]);
            assertEquals(ref[1], s[0], 1e-10 * scale, "score x" + at);
            assertEquals(ref[2], s[1], 1e-10 * scale, "score y" + at);
        }
    }

    /** ∫ₐᵇ N(t − y; σ) dy and its t-derivative by 20-point Gauss–Legendre on panels of 0.01. */
    private static double[] intervalByQuadrature(double t, double a, double b, double sigma) {
        GaussLegendre gl = new GaussLegendre(20);
        int panels = (int) Math.ceil((b - a) / 0.01);
        double w = (b - a) / panels;
        double m = 0;
        double dm = 0;
        for (int i = 0; i < panels; i++) {
            for (int q = 0; q < 20; q++) {
                double y = a + w * (i + 0.5 + 0.5 * gl.nodes[q]);
                double z = (t - y) / sigma;
                double dens = Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
                m += 0.5 * w * gl.weights[q] * dens;
                dm += 0.5 * w * gl.weights[q] * dens * (-z / sigma);
            }
        }
        return new double[] {m, dm};
    }

    @Test
    void checkerboardAgreesWithQuadratureOverTheSquares() {
        Checkerboard board = Checkerboard.defaults();
        double[][] corners = board.blackSquareCorners();
        SplittableRandom rng = new SplittableRandom(9);
        List<double[]> pts = new ArrayList<>(List.of(new double[] {0, 0}, new double[] {0.5, 0.5},
                new double[] {1.02, -0.97}, new double[] {2.3, 0.1}, new double[] {-2.2, -2.4}, new double[] {1, 1}));
        for (int i = 0; i < 14; i++) {
            pts.add(new double[] {-2.5 + 5 * rng.nextDouble(), -2.5 + 5 * rng.nextDouble()});
        }
        for (double[] x : pts) {
            double p = 0;
            double gx = 0;
            double gy = 0;
            for (double[] c : corners) {
                double[] fx = intervalByQuadrature(x[0], c[0], c[0] + board.side(), board.sigma());
                double[] fy = intervalByQuadrature(x[1], c[1], c[1] + board.side(), board.sigma());
                p += fx[0] * fy[0] / corners.length;
                gx += fx[1] * fy[0] / corners.length;
                gy += fx[0] * fy[1] / corners.length;
            }
            String at = " at (" + x[0] + ", " + x[1] + ")";
            assertEquals(Math.log(p), board.logDensity(x), 1e-11 * Math.max(1, Math.abs(Math.log(p))), "log p" + at);
            double[] s = board.score(x);
            double scale = 1 + Math.hypot(gx / p, gy / p);
            assertEquals(gx / p, s[0], 1e-10 * scale, "score x" + at);
            assertEquals(gy / p, s[1], 1e-10 * scale, "score y" + at);
        }
    }

    @Test
    void densitiesIntegrateToOne() {
        GaussianMixture gm = anisotropic();
        assertEquals(1, ToyAssertions.integrate2d((x, y) -> Math.exp(gm.logDensity(new double[] {x, y})),
                -6, 6, -6, 7, 0.1, 8), 1e-9, "anisotropic mixture");
        Rings rings = Rings.defaults();
        assertEquals(1, ToyAssertions.integrate2d((x, y) -> Math.exp(rings.logDensity(new double[] {x, y})),
                -3.8, 3.8, -3.8, 3.8, 0.04, 8), 1e-8, "rings (with the 1/ρ Jacobian)");
        Checkerboard board = Checkerboard.defaults();
        assertEquals(1, ToyAssertions.integrate2d((x, y) -> Math.exp(board.logDensity(new double[] {x, y})),
                -2.5, 2.5, -2.5, 2.5, 0.05, 8), 1e-9, "checkerboard");
        TwoMoons moons = new TwoMoons(0.15);
        assertEquals(1, ToyAssertions.integrate2d((x, y) -> Math.exp(moons.logDensity(new double[] {x, y})),
                -2, 3, -1.6, 2.1, 0.1, 6), 1e-7, "two moons");
    }

    @Test
    void everythingStaysFiniteFarAway() {
        double[][] far = {{30, -40}, {1e3, 1e3}, {-250, 7}, {0.3, 60}};
        for (ToyDistribution p : allToys()) {
            for (double[] x : far) {
                double lp = p.logDensity(x);
                double[] s = p.score(x);
                String at = p.name() + " at (" + x[0] + ", " + x[1] + ")";
                assertTrue(Double.isFinite(lp) && lp < 0, at + ": log p = " + lp);
                assertTrue(Double.isFinite(s[0]) && Double.isFinite(s[1]), at + ": score not finite");
                // far away the score points back towards the support
                assertTrue(s[0] * x[0] + s[1] * x[1] < 0, at + ": score points outwards");
            }
        }
    }

    @Test
    void tailScoresHaveTheirAsymptoticValues() {
        // checkerboard: 8 (160σ) right of the board, s₁ ≈ −(x₁ − 2)/σ² (the inverse Mills ratio → z)
        Checkerboard board = Checkerboard.defaults();
        double[] s = board.score(new double[] {10, 0.5});
        assertEquals(-8 / (0.05 * 0.05), s[0], 1e-3 * 8 / (0.05 * 0.05));
        assertEquals(board.score(new double[] {10, 0.5})[0], ToyAssertions.finiteDifferenceScore(board,
                new double[] {10, 0.5}, 1e-6)[0], 1e-6 * 3200);
        // moons: from (0, 50), the nearest curve point is (0, 1): s ≈ −(49)/σ² along y
        double[] m = TwoMoons.defaults().score(new double[] {0, 50});
        assertEquals(-49 / 0.01, m[1], 1e-3 * 4900);
        // rings: radial, −(ρ − 3)/σ² − 1/ρ far outside
        double[] r = Rings.defaults().score(new double[] {30, 40});
        assertEquals((-(50 - 3) / 0.01 - 1.0 / 50) * 30 / 50, r[0], 1e-9 * 4700);
    }

    @Test
    void ringsAreSingularOnlyAtTheOrigin() {
        Rings rings = Rings.defaults();
        assertEquals(Double.POSITIVE_INFINITY, rings.logDensity(new double[] {0, 0}));
        assertTrue(Double.isNaN(rings.score(new double[] {0, 0})[0]));
        // within ρ < σ²/r the −1/ρ term wins: the score points inwards; beyond, outwards towards the ring
        double[] in = rings.score(new double[] {1e-3, 0});
        double[] out = rings.score(new double[] {0.05, 0});
        assertTrue(in[0] < 0 && out[0] > 0, in[0] + " " + out[0]);
        assertEquals(rings.score(new double[] {0.05, 0})[0],
                ToyAssertions.finiteDifferenceScore(rings, new double[] {0.05, 0}, 1e-7)[0], 1e-5 * 100);
    }

    @Test
    void perturbedToysAddGaussianNoise() {
        assertEquals(Math.sqrt(0.01 + 0.04), TwoMoons.defaults().perturbed(0.2).sigma(), 1e-15);
        assertEquals(Math.sqrt(0.0025 + 0.01), Checkerboard.defaults().perturbed(0.1).sigma(), 1e-15);
        GaussianMixture gm = anisotropic().perturbed(0.5);
        assertEquals(0.3 + 0.25, gm.covariance(0)[0][0], 1e-15);
        assertEquals(0.1, gm.covariance(0)[0][1], 1e-15);
        assertThrows(UnsupportedOperationException.class, () -> Rings.defaults().perturbed(0.1));
    }
}
