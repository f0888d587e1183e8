package io.github.ssm4j.objective.internal;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;

/** One op of a {@link ReplayProgram}: the op, where its inputs come from, and its prepared op context. */
final class ReplayStep {
    final DifferentialFunction op;
    final StepInput[] inputs;
    final INDArray[] bound;
    final OpContext context;
    /** A legacy scalar op whose scalar is its second input: set from that input on every run. */
    final StepInput scalarInput;
    /** The gradient op ({@code matmul_bp}, {@code multiply_bp}) reduced to the one product that is read, or null. */
    final String prunedFrom;
    /** What the step computes, for {@link ReplayProgram#listing()}: op, inputs and outputs by graph name. */
    String label = "";

    ReplayStep(DifferentialFunction op, StepInput[] inputs, OpContext context, StepInput scalarInput) {
        this(op, inputs, context, scalarInput, null);
    }

    ReplayStep(DifferentialFunction op, StepInput[] inputs, OpContext context, StepInput scalarInput, String prunedFrom) {
        this.op = op;
        this.inputs = inputs;
        this.bound = new INDArray[inputs.length];
        this.context = context;
        this.scalarInput = scalarInput;
        this.prunedFrom = prunedFrom;
    }
}
