package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax, log-softmax, logsumexp, layer and (inference) batch normalisation, strided slices and the
 * pairwise maximum. Every rule is composed from primitives (mean, sum, mul, rsqrt, exp, pad, reshape ...):
 * SameDiff's own gradients of reduce_logsumexp, batchnorm and log_softmax with a dimension fail in
 * ND4J 1.0.0-M2.1, so no rule emits those ops.
 *
 * <p>Conventions measured on ND4J 1.0.0-M2.1: layer_norm uses the biased variance and no epsilon,
 * y = gain·(x − μ)/σ + bias, the gain broadcast along dimension 1 (channelsFirst) or the last one;
 * batchnorm computes (x − mean)·(var + ε)^(−1/2)·gamma + beta. At ties the maximum's derivative is split
 * evenly between the operands (SameDiff passes the whole gradient to both, which double-counts:
 * d max(x, x)/dx would be 2).
 */
public final class NormalizationRules {
    private NormalizationRules() {
    }

    public static void register(RuleTable t) {
        t.rule("softmax", NormalizationRules::softmaxJvp, NormalizationRules::softmaxVjp)
         .rule("log_softmax", NormalizationRules::logSoftmaxJvp, NormalizationRules::logSoftmaxVjp)
         .rule("reduce_logsumexp", NormalizationRules::logSumExpJvp, NormalizationRules::logSumExpVjp)
         .rule("layer_norm", NormalizationRules::layerNormJvp, NormalizationRules::layerNormVjp)
         .rule("batchnorm", NormalizationRules::batchNormJvp, NormalizationRules::batchNormVjp)
         .linear("strided_slice", NormalizationRules::stridedSliceForward, NormalizationRules::stridedSliceTranspose)
         .rule("maximum", NormalizationRules::maximumJvp, NormalizationRules::maximumVjp);
    }

    // ---- softmax family: with s = softmax(x), ds = s⊙(dx − Σ s⊙dx), d log s = dx − Σ s⊙dx ----

    private static SDVariable[] softmaxJvp(JvpContext c) {
        SDVariable ys = c.y().mul(c.tangent(0));
        return one(ys.sub(c.y().mul(c.sum(ys, c.y(), true, softmaxDim(c)))));
    }

    private static SDVariable[] softmaxVjp(VjpContext c) {
        SDVariable gy = c.g().mul(c.y());
        return new SDVariable[] {gy.sub(c.y().mul(c.sum(gy, c.y(), true, softmaxDim(c))))};
    }

    /** From x, not y: SameDiff cannot differentiate log_softmax given a dimension (see the class doc). */
    private static SDVariable[] logSoftmaxJvp(JvpContext c) {
        SDVariable s = c.sd().nn.softmax(c.x(), softmaxDim(c));
        return one(c.tangent(0).sub(c.sum(s.mul(c.tangent(0)), c.x(), true, softmaxDim(c))));
    }

    private static SDVariable[] logSoftmaxVjp(VjpContext c) {
        SDVariable s = c.sd().nn.softmax(c.x(), softmaxDim(c));
        return new SDVariable[] {c.g().sub(s.mul(c.sum(c.g(), c.x(), true, softmaxDim(c))))};
    }

    /** The softmax dimension, normalised; log_softmax without one works over the last dimension. */
    private static int softmaxDim(RuleContext c) {
        Object d = c.op().propertiesForFunction().get("dimension");
        int rank = c.rank(c.x());
        int dim = d instanceof Number n ? n.intValue() : rank - 1;
        return dim < 0 ? dim + rank : dim;
    }

    // ---- logsumexp: d lse = Σ softmax⊙dx over the reduced dimensions ----

    /** softmax over the reduced dimensions, from the stable composition (not from y: see the class doc). */
    private static SDVariable lseWeights(RuleContext c) {
        return c.sd().math.exp(c.x().sub(Reductions.logSumExp(c.sd(), c.x(), c.shape(c.x()), true, lseDims(c))));
    }

    private static SDVariable[] logSumExpJvp(JvpContext c) {
        return one(c.sum(lseWeights(c).mul(c.tangent(0)), c.x(), lseKeepDims(c), lseDims(c)));
    }

    private static SDVariable[] logSumExpVjp(VjpContext c) {
        SDVariable g = lseKeepDims(c) ? c.g() : Reductions.keepDims(c.sd(), c.g(), c.shape(c.x()), lseDims(c));
        return new SDVariable[] {lseWeights(c).mul(g)};
    }

    private static int[] lseDims(RuleContext c) {
        int rank = c.rank(c.x());
        long[] a = c.iArgs();
        int[] dims = a.length == 0 ? java.util.stream.IntStream.range(0, rank).toArray()
                : Arrays.stream(a).mapToInt(d -> (int) (d < 0 ? d + rank : d)).sorted().toArray();
        if (c.numInputs() > 1) {
            throw new IllegalStateException("reduce_logsumexp with dimensions computed in the graph is not "
                    + "supported (" + c.op().getOwnName() + "); use constant dimensions");
        }
        return dims;
    }

    private static boolean lseKeepDims(RuleContext c) {
        return c.tArgs().length > 0 && c.tArgs()[0] != 0.0;
    }

    // ---- layer norm: n = (x − μ)/σ, y = gain·n + bias; dn = (dx − mean dx − n·mean(n·dx))/σ ----

    /** The centring, 1/σ and n of the layer norm's input. */
    private record Standardised(SDVariable inv, SDVariable n) {
        static Standardised of(RuleContext c, int[] dims) {
            SDVariable centred = c.x().sub(c.mean(c.x(), c.x(), true, dims));
            SDVariable inv = c.sd().math.rsqrt(c.mean(centred.mul(centred), c.x(), true, dims));
            return new Standardised(inv, centred.mul(inv));
        }

        /** The linearised standardisation applied to v (forward), which is self-adjoint (reverse). */
        SDVariable apply(RuleContext c, SDVariable v, int[] dims) {
            SDVariable meanNv = c.mean(n.mul(v), c.x(), true, dims);
            return v.sub(c.mean(v, c.x(), true, dims)).sub(n.mul(meanNv)).mul(inv);
        }
    }

    private static int[] lnDims(RuleContext c) {
        int rank = c.rank(c.x());
        return Arrays.stream(RuleArgs.ints(c.property("dimensions"))).map(d -> d < 0 ? d + rank : d).sorted().toArray();
    }

    private static int lnChannel(RuleContext c) {
        return Boolean.TRUE.equals(c.property("channelsFirst")) ? 1 : c.rank(c.x()) - 1;
    }

    private static SDVariable[] layerNormJvp(JvpContext c) {
        int[] dims = lnDims(c);
        int ch = lnChannel(c);
        Standardised s = Standardised.of(c, dims);
        SDVariable r = null;
        if (c.hasTangent(0)) {
            r = s.apply(c, c.tangent(0), dims).mul(channel(c, c.in(1), ch));
        }
        if (c.hasTangent(1)) {
            r = plus(r, s.n().mul(channel(c, c.tangent(1), ch)));
        }
        if (c.numInputs() > 2 && c.hasTangent(2)) {
            r = plus(r, channel(c, c.tangent(2), ch));
        }
        return one(r == null ? null : c.broadcastLike(r, c.y()));
    }

    private static SDVariable[] layerNormVjp(VjpContext c) {
        int[] dims = lnDims(c);
        int ch = lnChannel(c);
        Standardised s = Standardised.of(c, dims);
        SDVariable[] r = new SDVariable[c.numInputs()];
        if (c.needs(0)) {
            r[0] = s.apply(c, c.g().mul(channel(c, c.in(1), ch)), dims);
        }
        if (c.needs(1)) {
            r[1] = channelSum(c, c.g().mul(s.n()), ch);
        }
        if (r.length > 2 && c.needs(2)) {
            r[2] = channelSum(c, c.g(), ch);
        }
        return r;
    }

    // ---- batch norm (inference): y = (x − mean)·inv·gamma + beta, inv = (var + ε)^(−1/2) ----

    /** Inputs by role; gamma and beta are absent when the op does not apply them. */
    private record BatchNorm(int axis, double eps, int gamma, int beta) {
        static BatchNorm of(RuleContext c) {
            int[] axes = RuleArgs.ints(c.property("axis"));
            int rank = c.rank(c.x());
            if (axes.length != 1 || c.rank(c.in(1)) != 1) {
                throw new IllegalStateException("batchnorm over several axes or with parameters of rank "
                        + c.rank(c.in(1)) + " is not supported (" + c.op().getOwnName() + ", axes "
                        + Arrays.toString(axes) + "); use one channel axis and rank-1 mean/variance/gamma/beta");
            }
            boolean applyGamma = Boolean.TRUE.equals(c.property("applyGamma"));
            boolean applyBeta = Boolean.TRUE.equals(c.property("applyBeta"));
            return new BatchNorm(axes[0] < 0 ? axes[0] + rank : axes[0], ((Number) c.property("epsilon")).doubleValue(),
                    applyGamma ? 3 : -1, applyBeta ? (applyGamma ? 4 : 3) : -1);
        }

        SDVariable invVector(RuleContext c) {
            return c.sd().math.rsqrt(c.in(2).add(eps));
        }

        /** inv·gamma as a [C] vector. */
        SDVariable scaleVector(RuleContext c) {
            return gamma < 0 ? invVector(c) : invVector(c).mul(c.in(gamma));
        }
    }

    private static SDVariable[] batchNormJvp(JvpContext c) {
        BatchNorm bn = BatchNorm.of(c);
        SDVariable centred = c.x().sub(channel(c, c.in(1), bn.axis()));
        SDVariable inv = bn.invVector(c);
        SDVariable r = null;
        if (c.hasTangent(0)) {
            r = c.tangent(0).mul(channel(c, bn.scaleVector(c), bn.axis()));
        }
        // the parameters' tangents combine as [C] vectors (each a coefficient of a [C]-shaped term)
        SDVariable offset = c.hasTangent(1) ? c.tangent(1).mul(bn.scaleVector(c)).neg() : null;
        if (bn.beta() >= 0 && c.hasTangent(bn.beta())) {
            offset = plus(offset, c.tangent(bn.beta()));
        }
        SDVariable factor = null;      // d(inv·gamma)
        if (c.hasTangent(2)) {
            SDVariable dInv = inv.mul(inv).mul(inv).mul(c.tangent(2)).mul(-0.5);
            factor = bn.gamma() < 0 ? dInv : dInv.mul(c.in(bn.gamma()));
        }
        if (bn.gamma() >= 0 && c.hasTangent(bn.gamma())) {
            factor = plus(factor, inv.mul(c.tangent(bn.gamma())));
        }
        if (factor != null) {
            r = plus(r, centred.mul(channel(c, factor, bn.axis())));
        }
        if (offset != null) {
            r = plus(r, channel(c, offset, bn.axis()));
        }
        return one(r == null ? null : c.broadcastLike(r, c.y()));
    }

    private static SDVariable[] batchNormVjp(VjpContext c) {
        BatchNorm bn = BatchNorm.of(c);
        int ax = bn.axis();
        SDVariable[] r = new SDVariable[c.numInputs()];
        SDVariable gScaled = c.g().mul(channel(c, bn.scaleVector(c), ax));
        r[0] = c.needs(0) ? gScaled : null;
        r[1] = c.needs(1) ? channelSum(c, gScaled, ax).neg() : null;
        boolean needsGammaOrVar = c.needs(2) || (bn.gamma() >= 0 && c.needs(bn.gamma()));
        if (needsGammaOrVar) {
            SDVariable inv = bn.invVector(c);
            SDVariable gCentred = channelSum(c, c.g().mul(c.x().sub(channel(c, c.in(1), ax))), ax);   // Σ g·(x − mean)
            if (c.needs(2)) {
                SDVariable dInv = inv.mul(inv).mul(inv).mul(-0.5);
                r[2] = gCentred.mul(bn.gamma() < 0 ? dInv : dInv.mul(c.in(bn.gamma())));
            }
            if (bn.gamma() >= 0 && c.needs(bn.gamma())) {
                r[bn.gamma()] = gCentred.mul(inv);
            }
        }
        if (bn.beta() >= 0 && c.needs(bn.beta())) {
            r[bn.beta()] = channelSum(c, c.g(), ax);
        }
        return r;
    }

    // ---- strided slice: forward the same selection, transpose a scatter; both from slice, pad, reshape ----
    // (not strided_slice itself: SameDiff's strided_slice_bp fails whenever the first dimension is 1)

    /** Per dimension of x: first index, stride and count selected; shrunk axes count 1. Batch dims: full. */
    private record SlicePlan(long[] in, long[] start, long[] stride, long[] count) {
        /** iArgs = [begin_mask, ellipsis_mask, end_mask, new_axis_mask, shrink_axis_mask, begin, end, strides]. */
        static SlicePlan of(RuleContext c) {
            long[] a = c.iArgs();
            String op = " (" + c.op().getOwnName() + ")";
            if (c.numInputs() > 1 || a[1] != 0 || a[3] != 0) {
                throw new IllegalStateException("strided_slice with arguments computed in the graph, an ellipsis or a "
                        + "new-axis mask is not supported" + op + "; use constant begin/end/strides and expandDims");
            }
            int n = (a.length - 5) / 3;
            long[] in = c.shape(c.x());
            SlicePlan p = new SlicePlan(in, new long[in.length], new long[in.length], new long[in.length]);
            for (int i = 0; i < in.length; i++) {
                boolean shrink = i < n && (a[4] >> i & 1) != 0;
                boolean fromStart = i >= n || (a[0] >> i & 1) != 0;
                boolean toEnd = i >= n || (a[2] >> i & 1) != 0;
                long stride = i < n && !shrink ? a[5 + 2 * n + i] : 1;
                if (stride <= 0) {
                    throw new IllegalStateException("strided_slice with stride " + stride + " is not supported" + op
                            + "; only positive strides are");
                }
                if (in[i] < 0 && (shrink || stride != 1 || !toEnd || !(fromStart || a[5 + i] == 0))) {
                    throw new IllegalStateException("strided_slice along dimension " + i + ", which varies with the "
                            + "batch, is only supported over its full range" + op);
                }
                p.start[i] = fromStart || in[i] < 0 ? 0 : clamp(a[5 + i], in[i]);
                long stop = in[i] < 0 ? 0 : shrink ? p.start[i] + 1 : toEnd ? in[i] : clamp(a[5 + n + i], in[i]);
                p.stride[i] = stride;
                p.count[i] = in[i] < 0 ? -1 : (stop - p.start[i] + stride - 1) / stride;
                if (in[i] >= 0 && p.count[i] <= 0) {
                    throw new IllegalStateException("empty strided_slice along dimension " + i + " is not supported" + op);
                }
            }
            return p;
        }

        /** Elements of dimension i from start on that the selection spans: min(count·stride, in − start). */
        long span(int i) {
            return in[i] < 0 ? -1 : Math.min(count[i] * stride[i], in[i] - start[i]);
        }

        /** [.., n·s, ..] ↔ [.., n, s, ..] at dimension i; shape holds the other dims' current sizes. */
        static SDVariable split(RuleContext c, SDVariable v, long[] shape, int i, long n, long s) {
            long[] split = new long[shape.length + 1];
            for (int k = 0, j = 0; k < shape.length; k++) {
                split[j++] = k == i ? n : shape[k];
                if (k == i) {
                    split[j++] = s;
                }
            }
            return c.sd().reshape(v, split);
        }
    }

    private static SDVariable stridedSliceForward(RuleContext c, SDVariable v) {
        SlicePlan p = SlicePlan.of(c);
        int rank = p.in().length;
        int[] begin = new int[rank];
        int[] size = new int[rank];
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            begin[i] = Math.toIntExact(p.start()[i]);
            size[i] = Math.toIntExact(p.span(i));
            shape[i] = p.span(i);
        }
        SDVariable r = c.sd().slice(v, begin, size);
        for (int i = 0; i < rank; i++) {
            long n = p.count()[i];
            long s = p.stride()[i];
            if (s > 1) {   // zero-pad to n·s, view as [.., n, s, ..], keep the first of each s
                long[][] pad = new long[rank][2];
                pad[i][1] = n * s - shape[i];
                shape[i] = n * s;
                SDVariable grouped = SlicePlan.split(c, c.sd().nn.pad(r, constant(c, pad), 0.0), shape, i, n, s);
                int[] first = new int[rank + 1];
                int[] one = new int[rank + 1];
                Arrays.fill(one, -1);
                one[i + 1] = 1;
                shape[i] = n;
                r = c.sd().reshape(c.sd().slice(grouped, first, one), shape.clone());
            }
        }
        return ShapeRules.reshapeLike(c, r, c.y());    // drops shrunk axes
    }

    /** The transpose: spread each strided dimension with zeros between the elements, then pad to x's shape. */
    private static SDVariable stridedSliceTranspose(RuleContext c, SDVariable g) {
        SlicePlan p = SlicePlan.of(c);
        int rank = p.in().length;
        long[] shape = p.count().clone();
        SDVariable r = c.sd().reshape(g, shape.clone());     // re-inserts shrunk axes
        long[][] padding = new long[rank][2];
        for (int i = 0; i < rank; i++) {
            long n = p.count()[i];
            long s = p.stride()[i];
            if (s > 1) {   // [.., n, ..] → [.., n, 1, ..] → zero-pad to [.., n, s, ..] → [.., n·s, ..] → first span(i)
                long[][] spread = new long[rank + 1][2];
                spread[i + 1][1] = s - 1;
                SDVariable widened = c.sd().nn.pad(SlicePlan.split(c, r, shape, i, n, 1), constant(c, spread), 0.0);
                shape[i] = n * s;
                r = c.sd().reshape(widened, shape.clone());
                if (p.span(i) < n * s) {
                    int[] begin = new int[rank];
                    int[] size = new int[rank];
                    Arrays.fill(size, -1);
                    size[i] = Math.toIntExact(p.span(i));
                    shape[i] = p.span(i);
                    r = c.sd().slice(r, begin, size);
                }
            }
            if (p.in()[i] >= 0) {
                padding[i][0] = p.start()[i];
                padding[i][1] = p.in()[i] - p.start()[i] - p.span(i);
            }
        }
        return c.sd().nn.pad(r, constant(c, padding), 0.0);
    }

    private static SDVariable constant(RuleContext c, long[][] v) {
        return c.sd().constant(Nd4j.createFromArray(v));
    }

    private static long clamp(long index, long size) {
        long i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    // ---- maximum(a, b), broadcasting: the derivative goes to the larger operand, split evenly at ties ----

    /** Weight of operand a: 1 where a > b, ½ where a = b, 0 where a < b. */
    private static SDVariable weightOfFirst(RuleContext c) {
        return c.sd().math.sign(c.in(0).sub(c.in(1))).add(1.0).mul(0.5);
    }

    private static SDVariable[] maximumJvp(JvpContext c) {
        SDVariable wa = weightOfFirst(c);
        SDVariable r = c.hasTangent(0) ? wa.mul(c.tangent(0)) : null;
        if (c.hasTangent(1)) {
            r = plus(r, wa.rsub(1.0).mul(c.tangent(1)));
        }
        return one(r == null ? null : c.broadcastLike(r, c.y()));
    }

    private static SDVariable[] maximumVjp(VjpContext c) {
        SDVariable wa = weightOfFirst(c);
        return new SDVariable[] {
            c.needs(0) ? c.sumToShapeOf(c.withShapeOf(c.g().mul(wa), c.y()), c.in(0)) : null,
            c.needs(1) ? c.sumToShapeOf(c.withShapeOf(c.g().mul(wa.rsub(1.0)), c.y()), c.in(1)) : null
        };
    }

    // ---- helpers ----


    private static SDVariable plus(SDVariable a, SDVariable b) {
        return a == null ? b : a.add(b);
    }

    /** A [C] vector reshaped to broadcast along dimension {@code axis} of the op's input. */
    private static SDVariable channel(RuleContext c, SDVariable v, int axis) {
        long[] shape = new long[c.rank(c.x())];
        Arrays.fill(shape, 1L);
        shape[axis] = c.shape(c.x())[axis];
        return c.sd().reshape(v, shape);
    }

    /** Sums an input-shaped value over every dimension but {@code axis}: the transpose of {@link #channel}. */
    private static SDVariable channelSum(RuleContext c, SDVariable v, int axis) {
        int[] others = java.util.stream.IntStream.range(0, c.rank(c.x())).filter(i -> i != axis).toArray();
        return others.length == 0 ? v : c.sum(v, c.x(), false, others);
    }
}
