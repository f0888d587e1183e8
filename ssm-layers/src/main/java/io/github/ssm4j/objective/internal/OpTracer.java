package io.github.ssm4j.objective.internal;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Records the ops one SameDiff execution runs, in the order it runs them, with the shape, data type and
 * ordering of every output: the raw material of a {@link ReplayProgram}. Attach it to a SameDiff instance's
 * listeners for exactly one execution; SameDiff passes its listeners on to the gradient function.
 */
final class OpTracer extends BaseListener {
    /** One executed op: the graph it ran in, the op, and descriptions of the arrays it produced. */
    record TracedOp(SameDiff graph, SameDiffOp op, List<ArrayShape> outputs) {
    }

    /** What an output array looked like, enough to allocate its twin. */
    record ArrayShape(org.nd4j.linalg.api.buffer.DataType dataType, long[] shape, char ordering, boolean empty) {
        static ArrayShape of(INDArray a) {
            return new ArrayShape(a.dataType(), a.shape(), a.ordering(), a.isEmpty());
        }
    }

    private final List<TracedOp> ops = new ArrayList<>();

    List<TracedOp> ops() {
        return ops;
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                            INDArray[] outputs) {
        List<ArrayShape> shapes = new ArrayList<>(outputs.length);
        for (INDArray out : outputs) {
            shapes.add(out == null ? null : ArrayShape.of(out));
        }
        ops.add(new TracedOp(sd, op, shapes));
    }
}
