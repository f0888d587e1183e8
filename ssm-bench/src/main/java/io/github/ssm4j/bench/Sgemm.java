package io.github.ssm4j.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's single-precision matrix-multiply rate as ND4J reaches it: C = A·B with A [m, k], B [k, n] into
 * a preallocated C, repeated for about {@code seconds}; the best of five rounds, in GFLOP/s.
 */
public final class Sgemm {
    private Sgemm() {
    }

    public static double gflops(int m, int k, int n, double seconds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        double flops = 2.0 * m * k * n;
        for (int i = 0; i < 20; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double best = 0;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            long deadline = start + (long) (seconds / 5 * 1e9);
            int reps = 0;
            long now;
            do {
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                reps++;
                now = System.nanoTime();
            } while (now < deadline);
            best = Math.max(best, flops * reps / ((now - start) * 1e-9) / 1e9);
        }
        return best;
    }
}
