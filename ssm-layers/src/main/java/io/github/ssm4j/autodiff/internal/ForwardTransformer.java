package io.github.ssm4j.autodiff.internal;

import io.github.ssm4j.autodiff.DerivativeRule;
import io.github.ssm4j.autodiff.DerivativeRules;
import io.github.ssm4j.autodiff.JvpContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;

/**
 * Forward mode: walks the path from the seeded inputs to the outputs in topological order and asks each
 * op's {@link io.github.ssm4j.autodiff.JvpRule} for the tangents of its outputs. Tangents are kept
 * symbolic ({@code null}) where they are zero.
 */
public final class ForwardTransformer {
    private final SameDiff sd;
    private final StaticShapes shapes;
    private final Map<String, SDVariable> tangents = new HashMap<>();

    public ForwardTransformer(SameDiff sd) {
        this.sd = sd;
        this.shapes = StaticShapes.of(sd);
    }

    /** Seeds the tangent of an input variable. */
    public ForwardTransformer seed(SDVariable x, SDVariable tangent) {
        tangents.put(x.name(), tangent);
        shapes.record(tangent, shapes.shapeOf(x));
        return this;
    }

    /** Adds tangent ops for everything on the path to {@code outputs}; returns their tangents (null = zero). */
    public SDVariable[] run(SDVariable... outputs) {
        List<String> outNames = new ArrayList<>();
        for (SDVariable y : outputs) {
            outNames.add(y.name());
        }
        GraphPath path = GraphPath.between(sd, tangents.keySet(), outNames);
        shapes.probe(path.variables(sd));
        for (SameDiffOp op : path.ops()) {
            step(op);
        }
        SDVariable[] result = new SDVariable[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            result[i] = tangents.get(outputs[i].name());
        }
        return result;
    }

    private void step(SameDiffOp op) {
        SDVariable[] ins = GraphPath.resolve(sd, op.getInputsToOp());
        SDVariable[] outs = GraphPath.resolve(sd, op.getOutputsOfOp());
        SDVariable[] inTangents = new SDVariable[ins.length];
        boolean any = false;
        for (int i = 0; i < ins.length; i++) {
            inTangents[i] = tangents.get(ins[i].name());
            any |= inTangents[i] != null;
        }
        if (!any) {
            return;
        }
        DerivativeRule rule = DerivativeRules.require(op.getOp(), outs.length > 0 ? outs[0] : null);
        SDVariable[] outTangents = rule.jvp().tangents(new JvpContext(sd, op.getOp(), ins, outs, inTangents, shapes));
        for (int j = 0; j < outs.length && j < outTangents.length; j++) {
            if (outTangents[j] != null) {
                shapes.record(outTangents[j], shapes.shapeOf(outs[j]));
                tangents.put(outs[j].name(), outTangents[j]);
            }
        }
    }
}
