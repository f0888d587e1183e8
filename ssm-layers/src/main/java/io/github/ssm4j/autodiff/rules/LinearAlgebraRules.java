package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Matrix products. {@code matmul(A, B; tA, tB, tR)} computes {@code op(A)·op(B)} (transposed if tR),
 * where op transposes the last two dimensions when its flag is set; rank-3 and higher operands are
 * batched over their leading dimensions. It is bilinear, so its tangent map is itself, and its
 * cotangents are two more products with the flags chosen so no transpose is materialised.
 */
public final class LinearAlgebraRules {
    private LinearAlgebraRules() {
    }

    public static void register(RuleTable t) {
        t.rule("matmul", LinearAlgebraRules::matmulJvp, LinearAlgebraRules::matmulVjp);
    }

    private static SDVariable[] matmulJvp(JvpContext c) {
        Flags f = Flags.of(c);
        SDVariable r = null;
        if (c.hasTangent(0)) {
            r = c.sd().mmul(c.tangent(0), c.in(1), f.a, f.b, f.r);
        }
        if (c.hasTangent(1)) {
            SDVariable tb = c.sd().mmul(c.in(0), c.tangent(1), f.a, f.b, f.r);
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
        SDVariable g = f.r ? transposeLastTwo(c, c.g()) : c.g();
        SDVariable a = c.in(0);
        SDVariable b = c.in(1);
        SDVariable ga = null;
        SDVariable gb = null;
        if (c.needs(0)) {
            ga = f.a ? c.sd().mmul(b, g, f.b, true, false) : c.sd().mmul(g, b, false, !f.b, false);
        }
        if (c.needs(1)) {
            gb = f.b ? c.sd().mmul(g, a, true, f.a, false) : c.sd().mmul(a, g, !f.a, false, false);
        }
        return new SDVariable[] {ga, gb};
    }

    private static SDVariable transposeLastTwo(RuleContext c, SDVariable v) {
        int rank = c.rank(c.y());
        if (rank == 2) {
            return c.sd().transpose(v);
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return c.sd().permute(v, perm);
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
