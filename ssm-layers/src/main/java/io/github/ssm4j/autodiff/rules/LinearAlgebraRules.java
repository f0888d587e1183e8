package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import io.github.ssm4j.autodiff.internal.StaticShapes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Matrix products. {@code matmul(A, B; tA, tB, tR)} computes {@code op(A)·op(B)} (transposed if tR),
 * where op transposes the last two dimensions when its flag is set; rank-3 and higher operands are
 * batched over their leading dimensions. It is bilinear, so its tangent map is itself, and its
 * cotangents are two more products with the flags chosen so no transpose is materialised.
 *
 * <p>Every product goes through {@link #product}, which avoids the shapes where SameDiff's own mmul
 * gradient is broken in 1.0.0-M2.1. sd.batchMmul (batched_gemm) is declared unsupported: see
 * {@link #BATCHED_GEMM}.
 */
public final class LinearAlgebraRules {
    /**
     * Why sd.batchMmul (op batched_gemm) has no rules. Measured on ND4J 1.0.0-M2.1, float64: the op reads
     * SameDiff's row-major matrices as column-major, so for square matrices it returns Bᵢ·Aᵢ instead of
     * Aᵢ·Bᵢ, for others it returns wrong values, fails validation ("number of A.rows() should be equal to
     * M") or crashes the JVM (double free), and transpose flags fail validation for most shapes. Its own
     * gradient throws (NullPointerException) or crashes the JVM (SIGSEGV). Derivative rules for the
     * product it is meant to compute would not be derivatives of what it computes. (Pinned in
     * SameDiffGradientFactsTest.)
     */
    static final String BATCHED_GEMM = "sd.batchMmul (batched_gemm) computes wrong products in ND4J 1.0.0-M2.1 "
            + "(Bᵢ·Aᵢ for square matrices, wrong values, failures or JVM crashes otherwise) and its own gradient "
            + "fails, so ssm4j does not differentiate it. Stack the matrices and use sd.mmul on the rank-3 arrays "
            + "(transpose flags included), e.g. sd.unstack(sd.mmul(sd.stack(0, as), sd.stack(0, bs), tA, tB, false), "
            + "0, n): that has derivative rules and correct SameDiff gradients.";

    private LinearAlgebraRules() {
    }

    public static void register(RuleTable t) {
        t.rule("matmul", LinearAlgebraRules::matmulJvp, LinearAlgebraRules::matmulVjp)
         .unsupported("batched_gemm", BATCHED_GEMM);
    }

    private static SDVariable[] matmulJvp(JvpContext c) {
        Flags f = Flags.of(c);
        long[] as = c.shape(c.in(0));
        long[] bs = c.shape(c.in(1));
        SDVariable r = null;
        if (c.hasTangent(0)) {
            r = product(c, c.tangent(0), as, f.a, c.in(1), bs, f.b, f.r);
        }
        if (c.hasTangent(1)) {
            SDVariable tb = product(c, c.in(0), as, f.a, c.tangent(1), bs, f.b, f.r);
            r = r == null ? tb : r.add(tb);
        }
        return one(r);
    }

    /**
     * With P = op(A), Q = op(B), Y = PQ and cotangent G (transposed first if tR):
     * ∂P = G·Qᵀ and ∂Q = Pᵀ·G; then A's cotangent is ∂P or its transpose Q·Gᵀ, B's is ∂Q or Gᵀ·P.
     */
    private static SDVariable[] matmulVjp(VjpContext c) {
        Flags f = Flags.of(c);
        long[] as = c.shape(c.in(0));
        long[] bs = c.shape(c.in(1));
        long[] gs = c.shape(c.y());
        SDVariable g = c.g();
        if (f.r) {
            g = transposeLastTwo(c.sd(), g, gs.length);
            gs = swapLastTwo(gs);
        }
        SDVariable a = c.in(0);
        SDVariable b = c.in(1);
        SDVariable ga = null;
        SDVariable gb = null;
        if (c.needs(0)) {
            ga = f.a ? product(c, b, bs, f.b, g, gs, true, false) : product(c, g, gs, false, b, bs, !f.b, false);
        }
        if (c.needs(1)) {
            gb = f.b ? product(c, g, gs, true, a, as, f.a, false) : product(c, a, as, !f.a, g, gs, false, false);
        }
        return new SDVariable[] {ga, gb};
    }

    /**
     * op(P)·op(Q), transposed if {@code tr}, where {@code ps}, {@code qs} are the operands' static shapes.
     * An mmul, except where the product may be a [.., 1, 1] matrix (its rows and columns of size 1 or
     * varying with the batch): there SameDiff's mmul gradient is wrong when one operand is transposed and
     * fails for [1, 1]·[1, 1] (1.0.0-M2.1, pinned in SameDiffGradientFactsTest), so the product is formed
     * as Σₖ P[.., m, k, 1]·Q[.., 1, k, n] from reshapes, a broadcast multiply and a sum.
     */
    static SDVariable product(RuleContext c, SDVariable p, long[] ps, boolean tp, SDVariable q, long[] qs,
                              boolean tq, boolean tr) {
        int r = ps.length;
        long m = tp ? ps[r - 1] : ps[r - 2];
        long n = tq ? qs[r - 2] : qs[r - 1];
        SameDiff sd = c.sd();
        if (m > 1 || n > 1 || r != qs.length) {
            return sd.mmul(p, q, tp, tq, tr);
        }
        long[] pm = tp ? swapLastTwo(ps) : ps;                              // [.., m, k]
        long[] qm = tq ? swapLastTwo(qs) : qs;                              // [.., k, n]
        SDVariable left = withAxis(sd, tp ? transposeLastTwo(sd, p, r) : p, pm, r);       // [.., m, k, 1]
        SDVariable right = withAxis(sd, tq ? transposeLastTwo(sd, q, r) : q, qm, r - 2);  // [.., 1, k, n]
        long[] full = new long[r + 1];                                      // [.., m, k, n]
        System.arraycopy(pm, 0, full, 0, r);
        full[r] = qm[r - 1];
        SDVariable terms = left.mul(right);
        StaticShapes.of(sd).record(terms, full);
        SDVariable result = Reductions.sum(sd, terms, full, false, r - 1);
        return tr ? transposeLastTwo(sd, result, r) : result;
    }

    /** {@code v} of static shape {@code s} with a size-1 axis inserted at {@code axis}. */
    private static SDVariable withAxis(SameDiff sd, SDVariable v, long[] s, int axis) {
        long[] t = new long[s.length + 1];
        for (int i = 0, j = 0; i < t.length; i++) {
            t[i] = i == axis ? 1 : s[j++];
        }
        SDVariable r = java.util.Arrays.stream(s).filter(d -> d < 0).count() <= 1 ? sd.reshape(v, t)
                : sd.expandDims(v, axis);
        StaticShapes.of(sd).record(r, t);
        return r;
    }

    private static long[] swapLastTwo(long[] s) {
        long[] r = s.clone();
        r[s.length - 2] = s[s.length - 1];
        r[s.length - 1] = s[s.length - 2];
        return r;
    }

    static SDVariable transposeLastTwo(SameDiff sd, SDVariable v, int rank) {
        if (rank == 2) {
            return sd.transpose(v);
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return sd.permute(v, perm);
    }

    private record Flags(boolean a, boolean b, boolean r) {
        static Flags of(RuleContext c) {
            return new Flags(flag(c, "transposeA"), flag(c, "transposeB"), flag(c, "transposeResult"));
        }

        private static boolean flag(RuleContext c, String name) {
            return Boolean.TRUE.equals(c.property(name));
        }
    }
}
