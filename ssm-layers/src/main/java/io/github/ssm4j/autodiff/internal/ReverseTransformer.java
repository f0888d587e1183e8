package io.github.ssm4j.autodiff.internal;

import io.github.ssm4j.autodiff.DerivativeRule;
import io.github.ssm4j.autodiff.DerivativeRules;
import io.github.ssm4j.autodiff.VjpContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;

/**
 * Reverse mode: walks the path from the differentiated inputs to the seeded outputs backwards and asks
 * each op's {@link io.github.ssm4j.autodiff.VjpRule} for the cotangents of its inputs, summing the
 * contributions of every consumer. Everything it emits is ordinary, differentiable SameDiff ops.
 */
public final class ReverseTransformer {
    private final SameDiff sd;
    private final StaticShapes shapes;
    private final Map<String, SDVariable> cotangents = new HashMap<>();

    public ReverseTransformer(SameDiff sd) {
        this.sd = sd;
        this.shapes = StaticShapes.of(sd);
    }

    /** Seeds the cotangent of an output variable. */
    public ReverseTransformer seed(SDVariable y, SDVariable cotangent) {
        shapes.record(cotangent, shapes.shapeOf(y));
        accumulate(y.name(), cotangent);
        return this;
    }

    /** Adds cotangent ops back to {@code inputs}; returns their cotangents (null = zero). */
    public SDVariable[] run(SDVariable... inputs) {
        List<String> inNames = new ArrayList<>();
        for (SDVariable x : inputs) {
            inNames.add(x.name());
        }
        Set<String> outNames = Set.copyOf(cotangents.keySet());
        GraphPath path = GraphPath.between(sd, inNames, outNames);
        shapes.probe(path.variables(sd));
        List<SameDiffOp> ops = path.ops();
        for (int k = ops.size() - 1; k >= 0; k--) {
            step(ops.get(k), path);
        }
        SDVariable[] result = new SDVariable[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            result[i] = cotangents.get(inputs[i].name());
        }
        return result;
    }

    private void step(SameDiffOp op, GraphPath path) {
        SDVariable[] ins = GraphPath.resolve(sd, op.getInputsToOp());
        SDVariable[] outs = GraphPath.resolve(sd, op.getOutputsOfOp());
        SDVariable[] outCot = new SDVariable[outs.length];
        boolean any = false;
        for (int j = 0; j < outs.length; j++) {
            outCot[j] = cotangents.get(outs[j].name());
            any |= outCot[j] != null;
        }
        if (!any) {
            return;
        }
        boolean[] needed = new boolean[ins.length];
        for (int i = 0; i < ins.length; i++) {
            needed[i] = path.dependsOnInputs(ins[i].name());
        }
        DerivativeRule rule = DerivativeRules.require(op.getOp(), outs.length > 0 ? outs[0] : null);
        SDVariable[] inCot = rule.vjp().cotangents(new VjpContext(sd, op.getOp(), ins, outs, outCot, needed, shapes));
        for (int i = 0; i < ins.length && i < inCot.length; i++) {
            if (needed[i] && inCot[i] != null) {
                shapes.record(inCot[i], shapes.shapeOf(ins[i]));
                accumulate(ins[i].name(), inCot[i]);
            }
        }
    }

    private void accumulate(String variable, SDVariable contribution) {
        SDVariable previous = cotangents.get(variable);
        SDVariable sum = previous == null ? contribution : previous.add(contribution);
        if (previous != null) {
            shapes.record(sum, shapes.shapeOf(previous));
        }
        cotangents.put(variable, sum);
    }
}
