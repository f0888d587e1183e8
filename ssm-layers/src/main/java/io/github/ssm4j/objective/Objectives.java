package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks and shapes shared by the built-in objectives. */
final class Objectives {
    private Objectives() {
    }

    static void requireUnconditional(TermBuilder graph, String objective) {
        ScoreFunction model = graph.model();
        if (model.isConditional() && !graph.noiseLevelFed()) {
            throw new IllegalArgumentException(objective + " trains an unconditional score s(x), but the model is "
                    + "conditioned on the noise level '" + model.noiseLevel().name() + "'; train noise-conditional "
                    + "models with DenoisingScoreMatching.noiseConditional or NoiseLadder");
        }
    }

    /** Standard normal noise z shaped like a batch of {@code batchSize} inputs, in the model's dtype. */
    static INDArray standardNormal(ScoreFunction model, int batchSize, SplittableRandom rng) {
        long[] shape = model.inputShape();
        shape[0] = batchSize;
        return drawn(shape, model.dataType(), z -> {
            for (int i = 0; i < z.length; i++) {
                z[i] = rng.nextGaussian();
            }
        });
    }

    /**
     * An array of {@code shape} and {@code type} holding the values {@code fill} writes into the double array
     * it is given (every element): from the current {@link ArrayArena} during a trainer's draw, else new.
     */
    static INDArray drawn(long[] shape, DataType type, Consumer<double[]> fill) {
        ArrayArena arena = ArrayArena.current();
        if (arena != null) {
            return arena.filled(shape, type, fill);
        }
        double[] values = new double[length(shape)];
        fill.accept(values);
        return typed(values, shape, type);
    }

    /** The number of elements of an array of {@code shape}, checked to fit an int (a Java array). */
    static int length(long[] shape) {
        return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    }

    /** {@code from} rounded to float into {@code to}, element by element. */
    static void narrow(double[] from, float[] to) {
        for (int i = 0; i < from.length; i++) {
            to[i] = (float) from[i];
        }
    }

    /**
     * A c-order array of {@code shape} and {@code type} to build a feed in (contents undefined): from the
     * current {@link ArrayArena} while an objective graph builds its feeds, else new.
     */
    static INDArray kept(long[] shape, DataType type) {
        ArrayArena arena = ArrayArena.current();
        return arena != null ? arena.next(shape, type) : Nd4j.create(type, shape, 'c');
    }

    /**
     * x + z·σ, σ a per-example column broadcast over the rest ({@link #perExample}); the same operations as
     * {@code x.add(z.mul(sigma))}, so the same values, in a {@link #kept} array.
     */
    static INDArray plusScaled(INDArray x, INDArray z, INDArray sigma) {
        return kept(x.shape(), x.dataType()).assign(z).muli(sigma).addi(x);
    }

    /** x + z·σ for one σ: {@code x.add(z.mul(sigma))}'s values, in a {@link #kept} array. */
    static INDArray plusScaled(INDArray x, INDArray z, double sigma) {
        return kept(x.shape(), x.dataType()).assign(z).muli(sigma).addi(x);
    }

    /**
     * {@code values} as a c-order array of {@code shape} made directly in {@code type} — for float32 models
     * one off-heap allocation rather than a float64 array and its cast: the per-step draws of the 784-wide
     * benchmark network are 0.4 MB, and fresh off-heap pages cost ≈ 14 µs each to touch on this machine.
     */
    static INDArray typed(double[] values, long[] shape, DataType type) {
        if (type == DataType.FLOAT) {
            float[] f = new float[values.length];
            narrow(values, f);
            return Nd4j.create(f, shape, 'c');
        }
        INDArray d = Nd4j.create(values, shape, 'c');
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    /** A copy of {@code sigmas}, checked: at least one, every one positive and finite. */
    static double[] requireNoiseLevels(double[] sigmas, String what) {
        if (sigmas == null || sigmas.length == 0) {
            throw new IllegalArgumentException(what + " needs at least one noise level σ");
        }
        for (double s : sigmas) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("Every noise level σ must be positive and finite, got "
                        + Arrays.toString(sigmas));
            }
        }
        return sigmas.clone();
    }

    /** A per-example column [N] reshaped to broadcast over arrays of {@code rank}: [N, 1, …, 1]. */
    static INDArray perExample(INDArray column, int rank) {
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[0] = column.length();
        return column.reshape(shape);
    }

    /** {@code [blocks, N, ...x's non-batch shape]}. */
    static long[] stackedShape(int blocks, int batchSize, ScoreFunction model) {
        long[] in = model.inputShape();
        long[] shape = new long[in.length + 1];
        shape[0] = blocks;
        shape[1] = batchSize;
        System.arraycopy(in, 1, shape, 2, in.length - 1);
        return shape;
    }

    /** The projections of {@code draws} checked and stacked as rows {@code [M·N, ...]}, in the model's dtype. */
    static INDArray requireProjections(RandomDraws draws, int m, Batch batch) {
        INDArray v = draws == null ? null : draws.projections();
        long[] expected = stackedShape(m, batch.size(), batch.model());
        if (v == null) {
            throw new IllegalArgumentException("This objective needs projections of shape " + Arrays.toString(expected)
                    + " [M, N, ...]; draw them with ObjectiveGraph.draw or pass RandomDraws.ofProjections");
        }
        if (!Arrays.equals(v.shape(), expected)) {
            if (m == 1 && Arrays.equals(v.shape(), batch.x().shape())) {
                return requireFiniteTyped(v, batch);
            }
            throw new IllegalArgumentException("Projections have shape " + Arrays.toString(v.shape())
                    + " but this objective needs " + Arrays.toString(expected) + " [M, N, ...x's shape]");
        }
        long[] rows = batch.x().shape().clone();
        rows[0] = (long) m * batch.size();
        return requireFiniteTyped(v.reshape(rows), batch);
    }

    private static INDArray requireFiniteTyped(INDArray v, Batch batch) {
        INDArray typed = v.dataType() == batch.dataType() ? v : v.castTo(batch.dataType());
        Batch.requireFinite(typed, "The projections");
        return typed;
    }
}
