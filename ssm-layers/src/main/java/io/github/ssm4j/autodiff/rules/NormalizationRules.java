package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Softmax, log-softmax, logsumexp, layer and (inference) batch normalisation. Every rule is composed from
 * primitives (mean, sum, mul, rsqrt, exp, reshape ...): SameDiff's own gradients of reduce_logsumexp,
 * batchnorm and log_softmax with a dimension fail in ND4J 1.0.0-M2.1, so no rule emits those ops.
 *
 * <p>Conventions measured on ND4J 1.0.0-M2.1: layer_norm uses the biased variance and no epsilon,
 * y = gain·(x − μ)/σ + bias, the gain broadcast along dimension 1 (channelsFirst) or the last one;
 * batchnorm computes (x − mean)·(var + ε)^(−1/2)·gamma + beta.
 */
public final class NormalizationRules {
    private NormalizationRules() {
    }

    public static void register(RuleTable t) {
        t.rule("softmax", NormalizationRules::softmaxJvp, NormalizationRules::softmaxVjp)
         .rule("log_softmax", NormalizationRules::logSoftmaxJvp, NormalizationRules::logSoftmaxVjp)
         .rule("reduce_logsumexp", NormalizationRules::logSumExpJvp, NormalizationRules::logSumExpVjp)
         .rule("layer_norm", NormalizationRules::layerNormJvp, NormalizationRules::layerNormVjp)
         .rule("batchnorm", NormalizationRules::batchNormJvp, NormalizationRules::batchNormVjp);
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
