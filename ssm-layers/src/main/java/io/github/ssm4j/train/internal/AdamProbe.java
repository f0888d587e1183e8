package io.github.ssm4j.train.internal;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link AdamKernel#backendAgrees}'s check: libnd4j's {@code adam_updater} and the Java kernel run side by side
 * on the same state, and must agree bit for bit on every update and both moments.
 *
 * <p>The inputs are chosen to reach every place the two could part: two configurations (DL4J's defaults and
 * unusual β's, ε and learning rate); iterations from the first through ones where Java's own {@code pow}
 * differs from the C library's (872–873 for β = 0.999 in float) to beyond a power table; gradients of every
 * scale, including zeros, values whose squares are subnormal, and large ones; moments held as the two halves
 * of one state array, as DL4J holds them, so the views have offsets; and a length that spans three chunks.
 */
final class AdamProbe {
    private static final double[][] CONFIGS = {   // learning rate, β₁, β₂, ε
        {1e-3, 0.9, 0.999, 1e-8},
        {0.05, 0.8, 0.99, 1e-6},
    };
    private static final int[] ITERATIONS = {0, 1, 2, 3, 9, 871, 872, 873, 1023, 1024, 5000, 99_999};

    private AdamProbe() {
    }

    static boolean agrees(DataType type) {
        int n = 2 * 2048 + 5;
        Random random = new Random(20261128L);
        for (double[] c : CONFIGS) {
            INDArray nativeState = Nd4j.zeros(type, 1, 2L * n);
            INDArray javaState = Nd4j.zeros(type, 1, 2L * n);
            INDArray nativeM = nativeState.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(0, n));
            INDArray nativeV = nativeState.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(n, 2 * n));
            INDArray javaM = javaState.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(0, n));
            INDArray javaV = javaState.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(n, 2 * n));
            for (int iteration : ITERATIONS) {
                double[] g = new double[n];
                for (int i = 0; i < n; i++) {
                    double scale = switch (i % 6) {
                        case 0 -> 0;
                        case 1 -> 1e-22;   // g² is subnormal in float
                        case 2 -> 1e3;
                        default -> Math.pow(10, random.nextInt(9) - 6);
                    };
                    g[i] = random.nextGaussian() * scale;
                }
                INDArray nativeG = Nd4j.createFromArray(g).castTo(type).reshape(1, n);
                INDArray javaG = nativeG.dup();
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(nativeG, nativeV, nativeM,
                        c[0], c[1], c[2], c[3], iteration));
                AdamKernel.step(type, javaG, javaM, javaV, c[0], c[1], c[2], c[3], iteration);
                if (!sameBits(nativeG, javaG) || !sameBits(nativeState, javaState)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sameBits(INDArray a, INDArray b) {
        return Arrays.equals(a.castTo(DataType.DOUBLE).data().asDouble(), b.castTo(DataType.DOUBLE).data().asDouble());
    }
}
