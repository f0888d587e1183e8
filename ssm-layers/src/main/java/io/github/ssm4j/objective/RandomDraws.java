package io.github.ssm4j.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The randomness of one objective evaluation, explicit so that an evaluation can be repeated exactly (tests,
 * debugging, comparisons with other implementations). Objectives draw it with
 * {@link ObjectiveGraph#draw}; users may also supply it.
 *
 * @param projections projection vectors v, shape {@code [M, N, ...x's non-batch shape]} (sliced objectives)
 * @param noise standard normal noise z, shape like x (denoising objectives)
 * @param noiseLevels index into the σ schedule for each example (noise-conditional denoising)
 *
 * <p>Stability: public API.
 */
public record RandomDraws(INDArray projections, INDArray noise, int[] noiseLevels) {
    /** Projections v of shape {@code [M, N, ...]} for the sliced objectives. */
    public static RandomDraws ofProjections(INDArray projections) {
        return new RandomDraws(projections, null, null);
    }

    /** Noise z, shaped like x, for single-σ denoising score matching. */
    public static RandomDraws ofNoise(INDArray noise) {
        return new RandomDraws(null, noise, null);
    }

    /** Noise z and one σ-schedule index per example, for noise-conditional denoising score matching. */
    public static RandomDraws ofNoise(INDArray noise, int[] noiseLevels) {
        return new RandomDraws(null, noise, noiseLevels.clone());
    }

    /**
     * Frees the drawn arrays' off-heap memory now instead of at some later garbage collection, so that the
     * next step's draws reuse it rather than touching fresh pages; for draws made and consumed within one
     * step (the trainers' own). The arrays must not be used afterwards.
     */
    public void release() {
        for (INDArray a : new INDArray[] {projections, noise}) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }

    /** None: the exact objective (ISM) needs no randomness. */
    public static RandomDraws none() {
        return new RandomDraws(null, null, null);
    }
}
