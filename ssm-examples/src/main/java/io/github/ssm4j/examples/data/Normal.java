package io.github.ssm4j.examples.data;

/**
 * Standard-normal tail functions in log space, accurate far into the tails (no underflow where the
 * toy densities need them): the scaled complementary error function erfcx(x) = exp(x²)·erfc(x), the log
 * upper tail log Q(z) = log P(Z &gt; z) and the inverse Mills ratio φ(z)/Q(z).
 *
 * <p>erfcx is computed from the everywhere-positive series erf(x) = (2/√π) e^{−x²} Σ 2ⁿx^{2n+1}/(2n+1)!!
 * for 0 ≤ x &lt; 1.5 and from Laplace's continued fraction (modified Lentz) for x ≥ 1.5; against
 * SciPy's erfcx the relative error is below 1e-14 on [0, 1e6] (tested in {@code NormalTest}).
 */
final class Normal {
    static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SQRT_PI = Math.sqrt(Math.PI);
    private static final double SQRT_2 = Math.sqrt(2);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double SERIES_LIMIT = 1.5;

    private Normal() {
    }

    /** exp(x²)·erfc(x) for x ≥ 0 (finite and positive; ~1/(x√π) for large x). */
    static double erfcx(double x) {
        if (!(x >= 0)) {
            throw new IllegalArgumentException("erfcx is implemented for x >= 0, got " + x);
        }
        if (x < SERIES_LIMIT) {
            double term = x;
            double sum = x;
            for (int n = 1; term > 1e-17 * sum; n++) {
                term *= 2 * x * x / (2 * n + 1);
                sum += term;
            }
            double erf = 2 / SQRT_PI * Math.exp(-x * x) * sum;
            return Math.exp(x * x) * (1 - erf);
        }
        if (Double.isInfinite(x)) {
            return 0;
        }
        // erfcx(x) = 1/(√π f), f = x + (1/2)/(x + 1/(x + (3/2)/(x + ...))): modified Lentz
        double tiny = 1e-300;
        double f = x;
        double c = f;
        double d = 0;
        for (int j = 1; j < 10_000; j++) {
            double a = 0.5 * j;
            d = x + a * d;
            d = d == 0 ? tiny : d;
            d = 1 / d;
            c = x + a / c;
            c = c == 0 ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return 1 / (SQRT_PI * f);
    }

    /** log Q(z) = log P(Z &gt; z) for z ≥ 0, Z standard normal. */
    static double logUpperTail(double z) {
        return Math.log(0.5 * erfcx(z / SQRT_2)) - 0.5 * z * z;
    }

    /** Q(z) = P(Z &gt; z) for z ≥ 0 (underflows to 0 beyond z ≈ 38). */
    static double upperTail(double z) {
        return 0.5 * erfcx(z / SQRT_2) * Math.exp(-0.5 * z * z);
    }

    /** The inverse Mills ratio φ(z)/Q(z) for z ≥ 0 (≈ z for large z). */
    static double inverseMills(double z) {
        return SQRT_2_OVER_PI / erfcx(z / SQRT_2);
    }

    /** φ(z), the standard normal density. */
    static double pdf(double z) {
        return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
    }

    /** log Σ exp(vᵢ) over the first n entries, −∞ when all are −∞. */
    static double logSumExp(double[] v, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, v[i]);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(v[i] - max);
        }
        return max + Math.log(s);
    }
}
