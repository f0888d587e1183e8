package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shape ops. All are linear in their array input: the tangent map is the op itself, the cotangent map
 * its transpose (reshape back, inverse permutation, slice ↔ pad, concat ↔ slices, stack ↔ unstack,
 * tile ↔ sum over the copies).
 */
public final class ShapeRules {
    private ShapeRules() {
    }

    public static void register(RuleTable t) {
        t.linear("reshape", ShapeRules::reshapeForward, (c, g) -> reshapeLike(c, g, c.x()))
         .linear("permute", (c, v) -> c.sd().permute(v, permutation(c)),
                 (c, g) -> c.sd().permute(g, RuleArgs.inverse(permutation(c))))
         .linear("transpose", (c, v) -> c.sd().transpose(v), (c, g) -> c.sd().transpose(g))
         .linear("expand_dims", (c, v) -> reshapeLike(c, v, c.y()), (c, g) -> reshapeLike(c, g, c.x()))
         .linear("squeeze", (c, v) -> reshapeLike(c, v, c.y()), (c, g) -> reshapeLike(c, g, c.x()))
         .linear("slice", (c, v) -> c.sd().slice(v, sliceBegin(c), sliceSize(c)), ShapeRules::sliceTranspose)
         .linear("pad", ShapeRules::padForward, ShapeRules::padTranspose)
         .linear("tile", (c, v) -> c.sd().tile(v, tileReps(c)), ShapeRules::tileTranspose)
         .rule("concat", ShapeRules::concatJvp, ShapeRules::concatVjp)
         .rule("stack", ShapeRules::stackJvp, ShapeRules::stackVjp)
         .rule("unstack", ShapeRules::unstackJvp, ShapeRules::unstackVjp);
    }

    // ---- reshape family ----

    private static SDVariable reshapeForward(RuleContext c, SDVariable v) {
        if (c.numInputs() > 1) {
            return c.sd().reshape(v, c.in(1));
        }
        return reshapeLike(c, v, c.y());
    }

    /** Reshapes {@code v} to the static shape of {@code like} (at most one dimension may vary). */
    static SDVariable reshapeLike(RuleContext c, SDVariable v, SDVariable like) {
        long[] shape = c.shape(like);
        if (Arrays.stream(shape).filter(d -> d < 0).count() > 1) {
            return c.sd().reshape(v, c.sd().shape(like));
        }
        return c.sd().reshape(v, shape);
    }

    private static int[] permutation(RuleContext c) {
        if (c.numInputs() > 1) {
            throw new IllegalStateException("permute with a permutation computed in the graph is not supported ("
                    + c.op().getOwnName() + "); use constant dimensions");
        }
        return Arrays.stream(c.iArgs()).mapToInt(Math::toIntExact).toArray();
    }


    // ---- slice ↔ pad ----

    private static int[] sliceBegin(RuleContext c) {
        requireConstantArgs(c, 1);
        long[] a = c.iArgs();
        return Arrays.stream(Arrays.copyOfRange(a, 0, a.length / 2)).mapToInt(Math::toIntExact).toArray();
    }

    private static int[] sliceSize(RuleContext c) {
        long[] a = c.iArgs();
        return Arrays.stream(Arrays.copyOfRange(a, a.length / 2, a.length)).mapToInt(Math::toIntExact).toArray();
    }

    /** The transpose of a slice pads the cotangent with zeros back to the input's extent. */
    private static SDVariable sliceTranspose(RuleContext c, SDVariable g) {
        int[] begin = sliceBegin(c);
        int[] size = sliceSize(c);
        long[] in = c.shape(c.x());
        long[][] padding = new long[in.length][2];
        for (int i = 0; i < in.length; i++) {
            padding[i][0] = begin[i];
            if (size[i] < 0) {
                padding[i][1] = 0;
            } else if (in[i] < 0) {
                throw new IllegalStateException("slice of a fixed size along a dimension that varies with the batch "
                        + "is not supported in reverse mode (" + c.op().getOwnName() + ")");
            } else {
                padding[i][1] = in[i] - begin[i] - size[i];
            }
        }
        return c.sd().nn.pad(g, c.sd().constant(org.nd4j.linalg.factory.Nd4j.createFromArray(padding)), 0.0);
    }

    private static SDVariable padForward(RuleContext c, SDVariable v) {
        requireConstantPadding(c);
        return c.sd().nn.pad(v, c.in(1), 0.0);
    }

    /** The transpose of zero-padding slices the interior back out. */
    private static SDVariable padTranspose(RuleContext c, SDVariable g) {
        long[][] p = requireConstantPadding(c);
        long[] in = c.shape(c.x());
        int[] begin = new int[in.length];
        int[] size = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            begin[i] = Math.toIntExact(p[i][0]);
            size[i] = Math.toIntExact(in[i]);   // -1 (to the end) works for a batch dimension padded by zero
            if (in[i] < 0 && p[i][1] != 0) {
                throw new IllegalStateException("padding the end of a dimension that varies with the batch is not "
                        + "supported in reverse mode (" + c.op().getOwnName() + ")");
            }
        }
        return c.sd().slice(g, begin, size);
    }

    private static long[][] requireConstantPadding(RuleContext c) {
        Object mode = c.property("mode");
        if (mode != null && !"0".equals(mode.toString()) && !"CONSTANT".equalsIgnoreCase(mode.toString())) {
            throw new IllegalStateException("Only constant padding has a rule; op '" + c.op().getOwnName()
                    + "' uses mode " + mode);
        }
        INDArray p = c.in(1).getArr();
        if (p == null) {
            throw new IllegalStateException("pad with paddings computed in the graph is not supported ("
                    + c.op().getOwnName() + ")");
        }
        return p.toLongMatrix();
    }

    // ---- tile ↔ sum over copies ----

    private static int[] tileReps(RuleContext c) {
        requireConstantArgs(c, 1);
        return Arrays.stream(c.iArgs()).mapToInt(Math::toIntExact).toArray();
    }

    /** Reshape the cotangent to [r₀, d₀, r₁, d₁, …] and sum over the copy axes rᵢ. */
    private static SDVariable tileTranspose(RuleContext c, SDVariable g) {
        int[] reps = tileReps(c);
        long[] in = c.shape(c.x());
        long[] split = new long[2 * in.length];
        int[] copyAxes = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            if (in[i] < 0 && reps[i] != 1) {
                throw new IllegalStateException("tile of a dimension that varies with the batch is not supported in "
                        + "reverse mode (" + c.op().getOwnName() + ")");
            }
            split[2 * i] = reps[i];
            split[2 * i + 1] = in[i];
            copyAxes[i] = 2 * i;
        }
        return Reductions.sum(c.sd(), c.sd().reshape(g, split), split, false, copyAxes);
    }

    // ---- concat ↔ slices, stack ↔ unstack ----

    private static int concatAxis(RuleContext c) {
        int axis = ((Number) c.property("concatDimension")).intValue();
        return axis < 0 ? axis + c.rank(c.y()) : axis;
    }

    private static SDVariable[] concatJvp(JvpContext c) {
        SDVariable[] parts = new SDVariable[c.numInputs()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = c.tangentOrZeros(i);
        }
        return one(c.sd().concat(concatAxis(c), parts));
    }

    private static SDVariable[] concatVjp(VjpContext c) {
        int axis = concatAxis(c);
        int rank = c.rank(c.y());
        SDVariable[] r = new SDVariable[c.numInputs()];
        long offset = 0;
        for (int i = 0; i < r.length; i++) {
            long size = c.shape(c.in(i))[axis];
            if (size < 0) {
                throw new IllegalStateException("concat along a dimension that varies with the batch is not supported "
                        + "in reverse mode (" + c.op().getOwnName() + ")");
            }
            if (c.needs(i)) {
                int[] begin = new int[rank];
                int[] sizes = new int[rank];
                Arrays.fill(sizes, -1);
                begin[axis] = Math.toIntExact(offset);
                sizes[axis] = Math.toIntExact(size);
                r[i] = c.sd().slice(c.g(), begin, sizes);
            }
            offset += size;
        }
        return r;
    }

    private static int stackAxis(RuleContext c) {
        int axis = ((Number) c.property("dimensions")).intValue();
        return axis < 0 ? axis + c.rank(c.y()) : axis;
    }

    private static SDVariable[] stackJvp(JvpContext c) {
        SDVariable[] parts = new SDVariable[c.numInputs()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = c.tangentOrZeros(i);
        }
        return one(c.sd().stack(stackAxis(c), parts));
    }

    private static SDVariable[] stackVjp(VjpContext c) {
        SDVariable[] parts = c.sd().unstack(c.g(), stackAxis(c), c.numInputs());
        SDVariable[] r = new SDVariable[c.numInputs()];
        for (int i = 0; i < r.length; i++) {
            r[i] = c.needs(i) ? parts[i] : null;
        }
        return r;
    }

    private static int unstackAxis(RuleContext c) {
        int axis = Math.toIntExact(c.iArgs()[0]);
        return axis < 0 ? axis + c.rank(c.x()) : axis;
    }

    private static SDVariable[] unstackJvp(JvpContext c) {
        return c.sd().unstack(c.tangent(0), unstackAxis(c), c.numOutputs());
    }

    private static SDVariable[] unstackVjp(VjpContext c) {
        SDVariable[] parts = new SDVariable[c.numOutputs()];
        for (int j = 0; j < parts.length; j++) {
            parts[j] = c.cotangentOrZeros(j);
        }
        return new SDVariable[] {c.sd().stack(unstackAxis(c), parts)};
    }

    private static void requireConstantArgs(RuleContext c, int expectedInputs) {
        if (c.numInputs() > expectedInputs) {
            throw new IllegalStateException("'" + c.op().opName() + "' with arguments computed in the graph is not "
                    + "supported (" + c.op().getOwnName() + "); use constant arguments");
        }
    }
}
