package io.github.ssm4j.objective.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Replay's direct native call for custom ops: on by default on the CPU backend, off under ND4J's NaN panic
 * profiling (which only the executioner implements), the same result as {@code Nd4j.exec}, and a libnd4j
 * failure is an exception naming the op, not a silently unwritten output.
 */
class DirectCustomOpsTest {
    @Test
    void activeByDefaultOnTheCpuBackendAndOffUnderPanicProfiling() {
        OpExecutioner executioner = Nd4j.getExecutioner();
        OpExecutioner.ProfilingMode before = executioner.getProfilingMode();
        try {
            assertTrue(DirectCustomOps.active(), "default profiling mode " + before);
            executioner.setProfilingMode(OpExecutioner.ProfilingMode.NAN_PANIC);
            assertFalse(DirectCustomOps.active());
        } finally {
            executioner.setProfilingMode(before);
        }
    }

    @Test
    void directCallComputesWhatNd4jExecComputes() {
        INDArray a = Nd4j.randn(DataType.FLOAT, 7, 5);
        INDArray b = Nd4j.randn(DataType.FLOAT, 7, 1);   // broadcast
        INDArray direct = Nd4j.create(DataType.FLOAT, 7, 5);
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(a, b);
        context.setOutputArrays(direct);
        DirectCustomOps.run(new MulOp(), context, true);
        INDArray expected = a.mul(b.broadcast(7, 5));
        assertArrayEquals(expected.data().asFloat(), direct.data().asFloat());
    }

    @Test
    void aFailingOpThrowsNamingIt() {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(Nd4j.create(DataType.FLOAT, 2, 3), Nd4j.create(DataType.FLOAT, 4, 5));
        context.setOutputArrays(Nd4j.create(DataType.FLOAT, 2, 3));
        RuntimeException e = assertThrows(RuntimeException.class, () -> DirectCustomOps.run(new MulOp(), context, true));
        assertTrue(e.getMessage().contains("multiply"), e.getMessage());
    }
}
