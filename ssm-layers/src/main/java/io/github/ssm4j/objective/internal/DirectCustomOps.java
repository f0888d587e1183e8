package io.github.ssm4j.objective.internal;

import io.github.ssm4j.util.CpuBackend;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Runs a replay step's custom op by the one native call ND4J's CPU executioner itself makes
 * ({@code execCustomOp2} on the prepared op context), without the Java around it.
 *
 * <p>Around that call {@code NativeOpExecutioner.exec(CustomOp, OpContext)} builds lists of the context's
 * input and output arrays (twice), checks each for having been closed, asks the native environment whether
 * oneDNN is on and returns the outputs as a new array — allocation and JNI calls that, for the small
 * benchmark network's ≈ 50 custom ops of a few µs of arithmetic each, were a measurable part of a step. A
 * replay program owns its buffers and prepares its contexts once, so none of that is needed.
 *
 * <p>Used only where it is the same call: the CPU backend's executioner, no op profiling and no NaN/Inf
 * panic mode (those see only ops run through the executioner, so then replay runs through it too).
 * Elsewhere (CUDA, whose executioner also synchronises host and device memory) {@link #run} calls
 * {@code Nd4j.exec}. {@code -Dssm4j.replay.direct=false} turns it off.
 */
final class DirectCustomOps {
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("ssm4j.replay.direct"));

    private DirectCustomOps() {
    }

    /**
     * Whether {@link #run} will call libnd4j directly now: CPU executioner, and no profiling beyond ND4J's
     * default {@code SCOPE_PANIC}, whose only check — that no array belongs to a closed workspace — cannot
     * fail for a program's own buffers and SameDiff's (detached) variables.
     */
    static boolean active() {
        if (!ENABLED || !CpuBackend.active()) {
            return false;
        }
        OpExecutioner.ProfilingMode mode = Nd4j.getExecutioner().getProfilingMode();
        ProfilerConfig config = OpProfiler.getInstance().getConfig();
        return (mode == OpExecutioner.ProfilingMode.DISABLED || mode == OpExecutioner.ProfilingMode.SCOPE_PANIC)
                && (config == null || !(config.isCheckForNAN() || config.isCheckForINF() || config.isStackTrace()
                        || config.isCheckElapsedTime() || config.isNativeStatistics()));
    }

    /** Runs {@code op} on its prepared {@code context}: directly when {@code direct}, else by {@code Nd4j.exec}. */
    static void run(CustomOp op, OpContext context, boolean direct) {
        if (!direct) {
            Nd4j.exec(op, context);
            return;
        }
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int status = nativeOps.execCustomOp2(null, op.opHash(), context.contextPointer());
        if (status != 0) {
            throw new RuntimeException("Replayed op " + op.opName() + " failed in libnd4j (status " + status + "): "
                    + nativeOps.lastErrorMessage());
        }
    }
}
