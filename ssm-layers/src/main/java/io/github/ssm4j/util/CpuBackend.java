package io.github.ssm4j.util;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether ND4J runs on its native CPU backend, where an array's memory is the host memory libnd4j computes in:
 * what the shortcuts that call libnd4j or BLAS directly, or read arrays' buffers from Java, rely on. On the CUDA
 * backend they step aside (its executioner also synchronises host and device copies).
 */
public final class CpuBackend {
    private static final boolean ACTIVE = "org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner"
            .equals(Nd4j.getExecutioner().getClass().getName());

    private CpuBackend() {
    }

    public static boolean active() {
        return ACTIVE;
    }
}
