package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.Reductions;
import io.github.ssm4j.autodiff.internal.StaticShapes;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.ScalarOp;

/**
 * What a derivative rule sees of the op it differentiates: the op, its primal inputs and outputs,
 * their static shapes, and helpers for broadcasting that every arithmetic rule needs.
 *
 * <p>Static shapes come from {@link StaticShapes}: {@code -1} marks a dimension that varies with the
 * batch (for example a placeholder's leading {@code -1}).
 */
public abstract class RuleContext {
    private final SameDiff sd;
    private final DifferentialFunction op;
    private final SDVariable[] inputs;
    private final SDVariable[] outputs;
    private final StaticShapes shapes;

    protected RuleContext(SameDiff sd, DifferentialFunction op, SDVariable[] inputs, SDVariable[] outputs,
                          StaticShapes shapes) {
        this.sd = sd;
        this.op = op;
        this.inputs = inputs;
        this.outputs = outputs;
        this.shapes = shapes;
    }

    /** The graph rules add their ops to. */
    public SameDiff sd() {
        return sd;
    }

    /** The op being differentiated. */
    public DifferentialFunction op() {
        return op;
    }

    /** The op, cast to its concrete class, for typed access to its configuration. */
    public <T> T op(Class<T> type) {
        if (!type.isInstance(op)) {
            throw new IllegalStateException("Rule for '" + op.opName() + "' expected op class "
                    + type.getName() + " but found " + op.getClass().getName());
        }
        return type.cast(op);
    }

    public int numInputs() {
        return inputs.length;
    }

    public int numOutputs() {
        return outputs.length;
    }

    /** Primal input {@code i}. */
    public SDVariable in(int i) {
        return inputs[i];
    }

    /** Primal output {@code i}. */
    public SDVariable out(int i) {
        return outputs[i];
    }

    /** Primal input 0, for unary ops. */
    public SDVariable x() {
        return inputs[0];
    }

    /** Primal output 0, for single-output ops. */
    public SDVariable y() {
        return outputs[0];
    }

    /** Static shape of a variable; {@code -1} for dimensions that vary between executions. */
    public long[] shape(SDVariable v) {
        return shapes.shapeOf(v);
    }

    public int rank(SDVariable v) {
        return shape(v).length;
    }

    /** Records the static shape of a variable a rule created, so later rules need not probe for it. */
    public SDVariable withShapeOf(SDVariable created, SDVariable like) {
        shapes.record(created, shapes.shapeOf(like));
        return created;
    }

    /** One of the op's named properties, as SameDiff reports them ({@code propertiesForFunction}). */
    public Object property(String name) {
        Map<String, Object> props = op.propertiesForFunction();
        if (props == null || !props.containsKey(name)) {
            throw new IllegalStateException("Op '" + op.opName() + "' has no property '" + name + "'; it has "
                    + (props == null ? "none" : props.keySet()));
        }
        return props.get(name);
    }

    /** Integer arguments of a custom op. */
    public long[] iArgs() {
        return op(DynamicCustomOp.class).iArgs();
    }

    /** Floating-point arguments of a custom op. */
    public double[] tArgs() {
        return op(DynamicCustomOp.class).tArgs();
    }

    /** The scalar operand of a scalar op ({@code x + c}, {@code x * c}, {@code pow(x, c)}, ...). */
    public double scalar() {
        return op(ScalarOp.class).scalar().getDouble(0);
    }

    /**
     * Σ of {@code v} over {@code dims} (all when none are given), where {@code v} has the static shape of
     * {@code like}. Rules reduce only through this method and {@link #mean}/{@link #max}, never with
     * {@code sd.sum} directly: ND4J 1.0.0-M2.1 throws on some reductions over size-1 dimensions, such as
     * the batch at batch size 1, and {@link Reductions} emits a form that works for every size.
     */
    public SDVariable sum(SDVariable v, SDVariable like, boolean keepDims, int... dims) {
        return Reductions.sum(sd, v, shape(like), keepDims, dims);
    }

    /** Mean of {@code v}, shaped like {@code like}, over {@code dims}; see {@link #sum}. */
    public SDVariable mean(SDVariable v, SDVariable like, boolean keepDims, int... dims) {
        return Reductions.mean(sd, v, shape(like), keepDims, dims);
    }

    /** Maximum of {@code v}, shaped like {@code like}, over {@code dims}; see {@link #sum}. */
    public SDVariable max(SDVariable v, SDVariable like, boolean keepDims, int... dims) {
        return Reductions.max(sd, v, shape(like), keepDims, dims);
    }

    /**
     * Reduces a cotangent {@code g} shaped like a broadcast result to the shape of {@code target}:
     * sums over leading dimensions {@code target} lacks and, keeping them, over dimensions where
     * {@code target} has static size 1 and the result does not. A dimension of {@code target} that
     * varies with the batch is assumed not to have been broadcast.
     */
    public SDVariable sumToShapeOf(SDVariable g, SDVariable target) {
        long[] gs = shape(g);
        long[] ts = shape(target);
        SDVariable r = g;
        int lead = gs.length - ts.length;
        if (lead < 0) {
            throw new IllegalStateException("Cannot reduce rank-" + gs.length + " cotangent " + Arrays.toString(gs)
                    + " to rank-" + ts.length + " " + Arrays.toString(ts) + " in rule for '" + op.opName() + "'");
        }
        if (lead > 0) {
            int[] dims = new int[lead];
            for (int i = 0; i < lead; i++) {
                dims[i] = i;
            }
            r = Reductions.sum(sd, r, gs, false, dims);
        }
        long[] rs = Arrays.copyOfRange(gs, lead, gs.length);
        int[] keep = new int[ts.length];
        int n = 0;
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == 1 && rs[i] != 1) {
                keep[n++] = i;
            }
        }
        if (n > 0) {
            r = Reductions.sum(sd, r, rs, true, Arrays.copyOf(keep, n));
        }
        return r == g ? g : withShapeOf(r, target);
    }

    /**
     * A tangent that may have a broadcastable (smaller) shape, materialised to the shape of
     * {@code like}: downstream reductions must see every element. Returns {@code t} unchanged when the
     * static shapes already agree.
     */
    public SDVariable broadcastLike(SDVariable t, SDVariable like) {
        if (Arrays.equals(shape(t), shape(like))) {
            return t;
        }
        return withShapeOf(sd.zerosLike(like).add(t), like);
    }
}
