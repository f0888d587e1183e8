package io.github.ssm4j.objective;

import java.util.SplittableRandom;

/**
 * Distributions of the random projections v in sliced score matching. What matters is E[vvᵀ]:
 * E_v[vᵀJv] = tr(J·E[vvᵀ]), so an objective built on v is unbiased for J_ISM exactly when E[vvᵀ] = I.
 *
 * <table>
 *   <caption>Projection distributions</caption>
 *   <tr><th>constant</th><th>v</th><th>E[vvᵀ]</th><th>SSM is unbiased for</th></tr>
 *   <tr><td>{@link #UNIT_SPHERE}</td><td>uniform on ‖v‖ = 1 (the seed note's choice)</td><td>I/D</td>
 *       <td>J_ISM / D (and the ½(vᵀs)² term is ½‖s‖²/D)</td></tr>
 *   <tr><td>{@link #SCALED_SPHERE}</td><td>uniform on ‖v‖ = √D</td><td>I</td><td>J_ISM</td></tr>
 *   <tr><td>{@link #RADEMACHER}</td><td>independent ±1</td><td>I</td><td>J_ISM</td></tr>
 *   <tr><td>{@link #GAUSSIAN}</td><td>independent N(0, 1)</td><td>I</td><td>J_ISM</td></tr>
 * </table>
 *
 * <p>Stability: public API.
 */
public enum Projection {
    UNIT_SPHERE, SCALED_SPHERE, RADEMACHER, GAUSSIAN;

    /** c in E[vvᵀ] = c·I for vectors of dimension {@code d}. */
    public double covarianceScale(long d) {
        return this == UNIT_SPHERE ? 1.0 / d : 1.0;
    }

    /**
     * Fills {@code out} with {@code out.length / d} independent vectors of dimension {@code d}, one after the
     * other.
     */
    public void sample(SplittableRandom rng, double[] out, int d) {
        if (d < 1 || out.length % d != 0) {
            throw new IllegalArgumentException("Cannot fill " + out.length + " values with vectors of dimension " + d);
        }
        for (int start = 0; start < out.length; start += d) {
            sampleOne(rng, out, start, d);
        }
    }

    private void sampleOne(SplittableRandom rng, double[] out, int start, int d) {
        switch (this) {
            case RADEMACHER -> {
                // +1 where nextBoolean() would be true (nextInt() < 0), else −1: the same draws from the same
                // stream, without a branch that a random sign mispredicts half the time (≈ 6 ns an entry
                // with it, 0.6 ms of the 784-wide benchmark network's draws; measured)
                for (int i = start; i < start + d; i++) {
                    out[i] = -((rng.nextInt() >> 31) | 1);
                }
            }
            case GAUSSIAN -> {
                for (int i = start; i < start + d; i++) {
                    out[i] = rng.nextGaussian();
                }
            }
            case UNIT_SPHERE, SCALED_SPHERE -> {
                double norm2;
                do { // a Gaussian direction; redraw the (probability-zero, but possible) all-zero vector
                    norm2 = 0;
                    for (int i = start; i < start + d; i++) {
                        out[i] = rng.nextGaussian();
                        norm2 += out[i] * out[i];
                    }
                } while (norm2 == 0);
                double radius = this == UNIT_SPHERE ? 1.0 : Math.sqrt(d);
                double scale = radius / Math.sqrt(norm2);
                for (int i = start; i < start + d; i++) {
                    out[i] *= scale;
                }
            }
            default -> throw new IllegalStateException(name());
        }
    }
}
