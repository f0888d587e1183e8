package io.github.ssm4j.bench;

import io.github.ssm4j.util.CpuBackend;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The machine's single-precision matrix-multiply rate: C = A·B with A [m, k], B [k, n] into a preallocated C,
 * repeated for about {@code seconds}; the best of five rounds, in GFLOP/s, through ND4J's {@code Nd4j.gemm}
 * and, on the CPU backend, straight through the BLAS library ND4J links ({@code cblas_sgemm}) — whichever is
 * faster. The direct call matters for small products: {@code Nd4j.gemm}'s Java work per call (≈ 15–30 µs)
 * made a 128×128×128 product look like ≈ 50–64 GFLOP/s where the library runs it at ≈ 80–85 (measured), and
 * a limit from the slower figure would flatter every ratio to it.
 */
public final class Sgemm {
    private Sgemm() {
    }

    public static double gflops(int m, int k, int n, double seconds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        double flops = 2.0 * m * k * n;
        double best = best(flops, seconds / 2, () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
        if (CpuBackend.active()) {
            FloatPointer pa = new FloatPointer(a.data().addressPointer());
            FloatPointer pb = new FloatPointer(b.data().addressPointer());
            FloatPointer pc = new FloatPointer(c.data().addressPointer());
            best = Math.max(best, best(flops, seconds / 2, () -> openblas.cblas_sgemm(openblas.CblasRowMajor,
                    openblas.CblasNoTrans, openblas.CblasNoTrans, m, n, k, 1f, pa, k, pb, n, 0f, pc, n)));
        }
        return best;
    }

    private static double best(double flops, double seconds, Runnable product) {
        for (int i = 0; i < 20; i++) {
            product.run();
        }
        double best = 0;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            long deadline = start + (long) (seconds / 5 * 1e9);
            int reps = 0;
            long now;
            do {
                product.run();
                reps++;
                now = System.nanoTime();
            } while (now < deadline);
            best = Math.max(best, flops * reps / ((now - start) * 1e-9) / 1e9);
        }
        return best;
    }
}
