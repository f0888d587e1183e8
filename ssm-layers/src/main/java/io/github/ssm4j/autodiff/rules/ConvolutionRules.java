package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import java.util.function.BinaryOperator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolutions: conv2d and deconv2d (pooling and upsampling are in {@link PoolingRules}).
 *
 * <p>conv2d and deconv2d are bilinear in (input, kernel), so their tangent is the op applied to each
 * tangent in turn. For cotangents both are seen as one convolution C_W from a "wide" space (conv2d's
 * input, deconv2d's output) to a "narrow" one (conv2d's output, deconv2d's input): conv2d = C_W and
 * deconv2d = C_Wᵀ. Three helpers, all in NCHW, cover every cotangent: {@link #narrow} (C_W z, a VALID
 * conv2d of z embedded in the padded frame), {@link #wide} (C_Wᵀ g, a VALID deconv2d cropped back out of
 * the padded frame) and {@link #kernel} (∂⟨g, C_W z⟩/∂W, a conv2d correlating z with g). Working in an
 * explicit padded frame makes stride remainders and SAME-padding offsets a matter of pad/slice.
 */
public final class ConvolutionRules {
    private ConvolutionRules() {
    }

    public static void register(RuleTable t) {
        t.rule("conv2d", ConvolutionRules::conv2dJvp, ConvolutionRules::conv2dVjp)
         .rule("deconv2d", ConvolutionRules::deconv2dJvp, ConvolutionRules::deconv2dVjp);
    }

    // ---- conv2d: y = C_W x (+ b), and deconv2d: y = C_Wᵀ x (+ b), weights [kH, kW, oC, iC] being C_W's YXIO ----

    /**
     * Emits conv2d with YXIO weights only: SameDiff's conv2d gradient fails ("Op validation failed" in
     * conv2d_bp) for OIYX/OYXI weights in 1.0.0-M2.1, so other weight layouts are permuted first.
     */
    private static SDVariable[] conv2dJvp(JvpContext c) {
        Conv2DConfig cfg = c.op(Conv2D.class).getConfig();
        int[] perm = toYxio(cfg.getWeightsFormat());
        Conv2DConfig yxio = perm == null ? cfg : Conv2DConfig.builder().kH(cfg.getKH()).kW(cfg.getKW())
                .sH(cfg.getSH()).sW(cfg.getSW()).pH(cfg.getPH()).pW(cfg.getPW()).dH(cfg.getDH()).dW(cfg.getDW())
                .paddingMode(cfg.getPaddingMode()).dataFormat(cfg.getDataFormat())
                .weightsFormat(WeightsFormat.YXIO).build();
        return bilinearJvp(c, (x, w) -> c.sd().cnn.conv2d(x, perm == null ? w : c.sd().permute(w, perm), yxio),
                isNchw(cfg.getDataFormat()));
    }

    private static SDVariable[] conv2dVjp(VjpContext c) {
        Conv2DConfig cfg = c.op(Conv2D.class).getConfig();
        if (cfg.getPaddingMode() == PaddingMode.CAUSAL) {
            throw unsupported(c, "CAUSAL padding");
        }
        Geometry geo = Geometry.of(c, c.x(), c.y(), isNchw(cfg.getDataFormat()), new long[] {cfg.getKH(), cfg.getKW(),
                cfg.getSH(), cfg.getSW(), cfg.getPH(), cfg.getPW(), cfg.getDH(), cfg.getDW()},
                cfg.getPaddingMode() == PaddingMode.SAME);
        return bilinearVjp(c, geo, false, toYxio(cfg.getWeightsFormat()));
    }

    private static SDVariable[] deconv2dJvp(JvpContext c) {
        DeConv2DConfig cfg = c.op(DeConv2D.class).getConfig();
        return bilinearJvp(c, (x, w) -> c.sd().cnn.deconv2d(x, w, cfg), isNchw(cfg.getDataFormat()));
    }

    private static SDVariable[] deconv2dVjp(VjpContext c) {
        DeConv2DConfig cfg = c.op(DeConv2D.class).getConfig();
        Geometry geo = Geometry.of(c, c.y(), c.x(), isNchw(cfg.getDataFormat()), new long[] {cfg.getKH(), cfg.getKW(),
                cfg.getSH(), cfg.getSW(), cfg.getPH(), cfg.getPW(), cfg.getDH(), cfg.getDW()}, cfg.isSameMode());
        return bilinearVjp(c, geo, true, null);
    }

    /** op(tx, W) + op(x, tW) + tb broadcast over the channels, skipping zero tangents. */
    private static SDVariable[] bilinearJvp(JvpContext c, BinaryOperator<SDVariable> op, boolean nchw) {
        SDVariable r = c.hasTangent(0) ? op.apply(c.tangent(0), c.in(1)) : null;
        if (c.hasTangent(1)) {
            SDVariable tw = op.apply(c.x(), c.tangent(1));
            r = r == null ? tw : r.add(tw);
        }
        if (c.numInputs() > 2 && c.hasTangent(2)) {
            r = c.sd().nn.biasAdd(r != null ? r : c.sd().zerosLike(c.y()), c.tangent(2), nchw);
        }
        return one(r == null ? null : c.withShapeOf(r, c.y()));
    }

    /**
     * Cotangents of y = C_W x + b (conv2d) or, if {@code transposed}, y = C_Wᵀ x + b (deconv2d), where
     * ⟨g, C_Wᵀ x⟩ = ⟨C_W g, x⟩ swaps the roles: x's cotangent is C_W g and W's is kernel(g, x).
     * {@code perm} takes the op's weights to YXIO (null if they are).
     */
    private static SDVariable[] bilinearVjp(VjpContext c, Geometry geo, boolean transposed, int[] perm) {
        SameDiff sd = c.sd();
        SDVariable g = geo.toNchw(sd, c.g());
        SDVariable[] r = new SDVariable[c.numInputs()];
        if (c.needs(0)) {
            SDVariable w = perm == null ? c.in(1) : sd.permute(c.in(1), perm);
            r[0] = geo.fromNchw(sd, transposed ? narrow(sd, g, w, geo) : wide(sd, g, w, geo));
        }
        if (c.needs(1)) {
            SDVariable x = geo.toNchw(sd, c.x());
            SDVariable k = transposed ? kernel(sd, g, x, geo) : kernel(sd, x, g, geo);
            r[1] = perm == null ? k : sd.permute(k, RuleArgs.inverse(perm));
        }
        if (r.length > 2 && c.needs(2)) {
            long[] ys = c.shape(c.y());
            long[] nchw = geo.nchw() ? ys : new long[] {ys[0], ys[3], ys[1], ys[2]};
            r[2] = Reductions.sum(sd, g, nchw, false, 0, 2, 3);
        }
        for (int i = 0; i < r.length; i++) {
            r[i] = r[i] == null ? null : c.withShapeOf(r[i], c.in(i));
        }
        return r;
    }

    static boolean isNchw(String dataFormat) {
        return !"NHWC".equalsIgnoreCase(dataFormat);
    }

    /** Permutation from a weights format to YXIO = [kH, kW, iC, oC], the layout the helpers use. */
    private static int[] toYxio(WeightsFormat f) {
        if (f == null || f == WeightsFormat.YXIO) {
            return null;
        }
        return f == WeightsFormat.OIYX ? new int[] {2, 3, 1, 0} : new int[] {1, 2, 3, 0};   // OYXI
    }


    // ---- the convolution C_W, its transpose and its kernel derivative (all NCHW, kernel YXIO) ----

    /**
     * C_W's geometry per spatial axis: narrow position o reads padded position o·s + j·d (j < k), and wide
     * position i sits at padded position i + before. {@code span} is the padded extent C_W reads.
     */
    private record Axis(long k, long s, long d, long before, long wide, long narrow) {
        long span() {
            return (narrow - 1) * s + (k - 1) * d + 1;
        }
    }

    private record Geometry(Axis h, Axis w, boolean nchw) {
        /** {@code p} = kH, kW, sH, sW, pH, pW, dH, dW. SAME padding as libnd4j's calcPadding2D: extra at the end. */
        static Geometry of(RuleContext c, SDVariable wideVar, SDVariable narrowVar, boolean nchw, long[] p,
                           boolean same) {
            long[] ws = c.shape(wideVar);
            long[] ns = c.shape(narrowVar);
            int ax = nchw ? 2 : 1;
            Axis[] axes = new Axis[2];
            for (int a = 0; a < 2; a++) {
                long wide = ws[ax + a];
                long narrow = ns[ax + a];
                if (wide < 0 || narrow < 0) {
                    throw unsupported(c, "spatial dimensions that vary between executions");
                }
                long k = p[a];
                long s = p[2 + a];
                long d = p[6 + a];
                long before = same ? ((narrow - 1) * s + (k - 1) * d + 1 - wide) / 2 : p[4 + a];
                axes[a] = new Axis(k, s, d, before, wide, narrow);
            }
            return new Geometry(axes[0], axes[1], nchw);
        }

        SDVariable toNchw(SameDiff sd, SDVariable v) {
            return nchw ? v : sd.permute(v, 0, 3, 1, 2);
        }

        SDVariable fromNchw(SameDiff sd, SDVariable v) {
            return nchw ? v : sd.permute(v, 0, 2, 3, 1);
        }

        /** A wide-space value zero-padded (or cropped) into the padded frame C_W reads. */
        SDVariable embed(SameDiff sd, SDVariable z) {
            return window(sd, z, 2, new long[] {-h.before, -w.before}, new long[] {h.span(), w.span()},
                    new long[] {h.wide, w.wide});
        }

        /** The transpose of {@link #embed}: the wide space cut out of the padded frame. */
        SDVariable crop(SameDiff sd, SDVariable full) {
            return window(sd, full, 2, new long[] {h.before, w.before}, new long[] {h.wide, w.wide},
                    new long[] {h.span(), w.span()});
        }
    }

    /** C_W z: a VALID, unpadded conv2d of z in the padded frame. */
    private static SDVariable narrow(SameDiff sd, SDVariable z, SDVariable w, Geometry g) {
        return sd.cnn.conv2d(g.embed(sd, z), w, conv(g.h.k, g.w.k, g.h.s, g.w.s, g.h.d, g.w.d));
    }

    /** C_Wᵀ g: an unpadded deconv2d fills exactly the padded frame (span = s·(n−1) + d·(k−1) + 1). */
    private static SDVariable wide(SameDiff sd, SDVariable g, SDVariable w, Geometry geo) {
        DeConv2DConfig cfg = DeConv2DConfig.builder().kH(geo.h.k).kW(geo.w.k).sH(geo.h.s).sW(geo.w.s)
                .dH(geo.h.d).dW(geo.w.d).pH(0).pW(0).isSameMode(false).dataFormat("NCHW").build();
        return geo.crop(sd, sd.cnn.deconv2d(g, w, cfg));
    }

    /**
     * ∂⟨g, C_W z⟩/∂W[j, l, ic, oc] = Σ_{n,o,q} zpad[n, ic, o·sH + j·dH, q·sW + l·dW] · g[n, oc, o, q]: a conv2d
     * of zpad with batch and channels swapped, g as an (oH × oW) kernel, stride and dilation swapped.
     */
    private static SDVariable kernel(SameDiff sd, SDVariable z, SDVariable g, Geometry geo) {
        SDVariable zt = sd.permute(geo.embed(sd, z), 1, 0, 2, 3);          // [iC, N, spanH, spanW]
        SDVariable gk = sd.permute(g, 2, 3, 0, 1);                         // [oH, oW, N, oC]
        SDVariable r = sd.cnn.conv2d(zt, gk, conv(geo.h.narrow, geo.w.narrow, geo.h.d, geo.w.d, geo.h.s, geo.w.s));
        return sd.permute(r, 2, 3, 0, 1);                                  // [iC, oC, kH, kW] → YXIO
    }

    private static Conv2DConfig conv(long kH, long kW, long sH, long sW, long dH, long dW) {
        return Conv2DConfig.builder().kH(kH).kW(kW).sH(sH).sW(sW).dH(dH).dW(dW).pH(0).pW(0)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
    }

    /**
     * Spatial window of a rank-4 value along axes (ax, ax+1): element i of the result is v's element
     * start + i, zero where that lies outside v's extent {@code src}. A slice, then a zero pad.
     */
    static SDVariable window(SameDiff sd, SDVariable v, int ax, long[] start, long[] len, long[] src) {
        int[] begin = new int[4];
        int[] size = {-1, -1, -1, -1};
        long[][] pad = new long[4][2];
        boolean sliced = false;
        boolean padded = false;
        for (int a = 0; a < 2; a++) {
            long lo = Math.max(0, start[a]);
            long hi = Math.min(src[a], start[a] + len[a]);
            begin[ax + a] = Math.toIntExact(lo);
            size[ax + a] = Math.toIntExact(hi - lo);
            pad[ax + a][0] = lo - start[a];
            pad[ax + a][1] = start[a] + len[a] - hi;
            sliced |= lo > 0 || hi < src[a];
            padded |= pad[ax + a][0] > 0 || pad[ax + a][1] > 0;
        }
        SDVariable r = sliced ? sd.slice(v, begin, size) : v;
        return padded ? sd.nn.pad(r, sd.constant(Nd4j.createFromArray(pad)), 0.0) : r;
    }

    static IllegalStateException unsupported(RuleContext c, String what) {
        return new IllegalStateException("No derivative rule for '" + c.op().opName() + "' (" + c.op().getOwnName()
                + ") with " + what);
    }
}
