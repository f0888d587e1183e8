package io.github.ssm4j.examples.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Two interleaved half circles with Gaussian noise, the geometry of scikit-learn's {@code make_moons}:
 * pick a moon with probability ½, an angle t uniform on [0, π], the curve point
 * <pre>
 *   upper moon: c(t) = (cos t, sin t)          (centre (0, 0))
 *   lower moon: c(t) = (1 − cos t, ½ − sin t)  (centre (1, ½))
 * </pre>
 * and add N(0, σ²I). As a density this is the curves' uniform measure convolved with the Gaussian:
 * <pre>
 *   p(x) = ½ Σₖ (1/π) ∫₀^π N(x; cₖ(t), σ²I) dt,
 *   ∇ log p(x) = (E[c | x] − x)/σ²
 * </pre>
 * (the posterior mean of the curve point given x, over both moons). The integral over t has no closed
 * form (it is an incomplete von Mises integral), so log p and the score are computed by quadrature: each
 * half circle is cut where cos(t − φ) is monotone (φ the direction of x from the centre), each piece into
 * panels that double in width away from its peak (the first one as wide as the peak: 1/(1 + κ|sin| + √κ),
 * κ = ρ/σ²), each panel integrated by 16-point Gauss–Legendre and bisected until the whole and the two
 * halves agree to 1e-14 of the peak scale (or to rounding). Everything is computed relative to the
 * integrand's maximum, so log p and the score stay finite and accurate far from the moons.
 *
 * <p>Accuracy: log p and the score agree with an independent brute-force integration (composite
 * Simpson, 2·10⁵ nodes) to better than 1e-10 relative, and the score with central differences of log p,
 * in {@code ToyScoreTest}; {@link #scoreAccuracy()} states 1e-10. Cost: a few thousand exp/cos
 * evaluations per point (2–3·10⁴ points a second on one core).
 *
 * <p>Moments: E[x] = (½, ¼); E[x₁²] = 1 + σ², E[x₂²] = 5/8 − 1/π + σ², E[x₁x₂] = ¼ − 1/π.
 *
 * <p>Stability: public API.
 */
public final class TwoMoons implements ToyDistribution {
    private static final double[][] CENTRES = {{0, 0}, {1, 0.5}};
    /** Each moon is the arc of angles [start, start + π] around its centre. */
    private static final double[] START = {0, Math.PI};
    private static final GaussLegendre GL = new GaussLegendre(16);
    private static final double LOG_HALF = Math.log(0.5);

    private final double sigma;

    public TwoMoons(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("σ must be positive and finite, got " + sigma);
        }
        this.sigma = sigma;
    }

    /** The command line's {@code two-moons}: σ = 0.1. */
    public static TwoMoons defaults() {
        return new TwoMoons(0.1);
    }

    public double sigma() {
        return sigma;
    }

    @Override
    public String name() {
        return "two-moons";
    }

    @Override
    public String description() {
        return "two moons (make_moons geometry), σ = " + sigma;
    }

    @Override
    public int dimension() {
        return 2;
    }

    @Override
    public double scoreAccuracy() {
        return 1e-10;
    }

    @Override
    public List<String> componentNames() {
        return List.of("upper-moon", "lower-moon");
    }

    @Override
    public double logDensity(double[] x) {
        check(x);
        double[] a = new double[3];
        double[] b = new double[3];
        double la = moon(0, x, a);
        double lb = moon(1, x, b);
        return LOG_HALF + logAdd(la, lb);
    }

    @Override
    public double[] score(double[] x) {
        check(x);
        double[] a = new double[3];
        double[] b = new double[3];
        double la = moon(0, x, a);
        double lb = moon(1, x, b);
        double m = Math.max(la, lb);
        double wa = Math.exp(la - m);
        double wb = Math.exp(lb - m);
        double s = wa + wb;
        wa /= s;
        wb /= s;
        double s2 = sigma * sigma;
        return new double[] {
            (wa * (CENTRES[0][0] + a[1]) + wb * (CENTRES[1][0] + b[1]) - x[0]) / s2,
            (wa * (CENTRES[0][1] + a[2]) + wb * (CENTRES[1][1] + b[2]) - x[1]) / s2};
    }

    @Override
    public int sample(SplittableRandom rng, double[] out) {
        int k = rng.nextDouble() < 0.5 ? 0 : 1;
        double t = START[k] + Math.PI * rng.nextDouble();
        out[0] = CENTRES[k][0] + Math.cos(t) + sigma * rng.nextGaussian();
        out[1] = CENTRES[k][1] + Math.sin(t) + sigma * rng.nextGaussian();
        return k;
    }

    /** The moons convolved with N(0, s²I): the same moons with noise √(σ² + s²) (exact). */
    @Override
    public TwoMoons perturbed(double s) {
        if (!(s >= 0)) {
            throw new IllegalArgumentException("σ must be >= 0, got " + s);
        }
        return new TwoMoons(Math.sqrt(sigma * sigma + s * s));
    }

    /**
     * log of moon k's density at x, (1/π) ∫ N(x; c(θ), σ²I) dθ; into out[1], out[2] the posterior mean
     * of (cos θ, sin θ) (c(θ) = centre + (cos θ, sin θ) with θ on the arc).
     */
    private double moon(int k, double[] x, double[] out) {
        double dx = x[0] - CENTRES[k][0];
        double dy = x[1] - CENTRES[k][1];
        double rho = Math.hypot(dx, dy);
        double phi = Math.atan2(dy, dx);
        double kappa = rho / (sigma * sigma);
        double s = START[k];
        double e = s + Math.PI;
        // break points where cos(θ − φ) turns: φ and φ + π, brought into [s, s + 2π)
        double[] cuts = new double[4];
        int nc = 0;
        cuts[nc++] = s;
        double c1 = s + wrap(phi - s);
        double c2 = s + wrap(phi + Math.PI - s);
        if (c1 > s && c1 < e) {
            cuts[nc++] = c1;
        }
        if (c2 > s && c2 < e) {
            cuts[nc++] = c2;
        }
        cuts[nc++] = e;
        java.util.Arrays.sort(cuts, 0, nc);
        // the maximum of cos(θ − φ) over the arc, by 1 − cos = 2 sin²(·/2) at each candidate
        double minGap = Double.POSITIVE_INFINITY;
        for (int i = 0; i < nc; i++) {
            double sh = Math.sin(0.5 * (cuts[i] - phi));
            minGap = Math.min(minGap, 2 * sh * sh);
        }
        double fmax = 1 - minGap;
        double[] acc = new double[3];
        for (int i = 0; i + 1 < nc; i++) {
            double a = cuts[i];
            double b = cuts[i + 1];
            // the end where cos(θ − φ) is larger is the piece's peak
            boolean fromLeft = Math.cos(a - phi) >= Math.cos(b - phi);
            double peak = fromLeft ? a : b;
            double len = b - a;
            double scale = 1 / (1 + kappa * Math.abs(Math.sin(peak - phi)) + Math.sqrt(kappa));
            double w = Math.min(len, 0.5 * scale);
            double tol = 1e-14 * Math.min(len, scale);
            double done = 0;
            while (done < len) {
                double next = Math.min(len, done + w);
                double lo = fromLeft ? a + done : b - next;
                double hi = fromLeft ? a + next : b - done;
                // g is largest at the panel's end nearest the peak: stop once the rest cannot matter
                double gNear = Math.exp(kappa * (Math.cos((fromLeft ? lo : hi) - phi) - fmax));
                if (gNear * (len - done) < 1e-17 * Math.max(acc[0], tol)) {
                    break;
                }
                panel(lo, hi, phi, kappa, fmax, tol, acc, 0);
                done = next;
                w *= 2;
            }
        }
        out[1] = acc[1] / acc[0];
        out[2] = acc[2] / acc[0];
        // log[(1/π)(1/(2πσ²)) ∫ exp(−|x − c(θ)|²/(2σ²)) dθ], |x − c|² = (ρ − 1)² + 2ρ(1 − cos(θ − φ))
        double exponentAtMax = -((rho - 1) * (rho - 1) + 2 * rho * minGap) / (2 * sigma * sigma);
        return -Math.log(Math.PI) - Math.log(2 * Math.PI * sigma * sigma) + exponentAtMax + Math.log(acc[0]);
    }

    /** Adds ∫ g·(1, cos θ, sin θ) over [lo, hi] to acc, g = exp(κ(cos(θ − φ) − fmax)), adaptively. */
    private static void panel(double lo, double hi, double phi, double kappa, double fmax, double tol,
            double[] acc, int depth) {
        double[] whole = gauss(lo, hi, phi, kappa, fmax);
        double mid = 0.5 * (lo + hi);
        double[] left = gauss(lo, mid, phi, kappa, fmax);
        double[] right = gauss(mid, hi, phi, kappa, fmax);
        double halves = left[0] + right[0];
        double err = Math.abs(whole[0] - halves);
        // accept at the tolerance, or at rounding level (the two estimates agree to ~1e-14 of themselves)
        if (err <= tol || err <= 1e-14 * halves || depth >= 20) {
            for (int i = 0; i < 3; i++) {
                acc[i] += left[i] + right[i];
            }
            return;
        }
        panel(lo, mid, phi, kappa, fmax, tol, acc, depth + 1);
        panel(mid, hi, phi, kappa, fmax, tol, acc, depth + 1);
    }

    private static double[] gauss(double lo, double hi, double phi, double kappa, double fmax) {
        double half = 0.5 * (hi - lo);
        double mid = 0.5 * (hi + lo);
        double s0 = 0;
        double sc = 0;
        double ss = 0;
        for (int i = 0; i < GL.nodes.length; i++) {
            double theta = mid + half * GL.nodes[i];
            double g = GL.weights[i] * Math.exp(kappa * (Math.cos(theta - phi) - fmax));
            s0 += g;
            sc += g * Math.cos(theta);
            ss += g * Math.sin(theta);
        }
        return new double[] {half * s0, half * sc, half * ss};
    }

    /** The angle in [0, 2π). */
    private static double wrap(double a) {
        double r = a % (2 * Math.PI);
        return r < 0 ? r + 2 * Math.PI : r;
    }

    private static double logAdd(double a, double b) {
        double m = Math.max(a, b);
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    }

    private static void check(double[] x) {
        if (x.length != 2) {
            throw new IllegalArgumentException("Expected a 2-D point, got dimension " + x.length);
        }
    }
}
