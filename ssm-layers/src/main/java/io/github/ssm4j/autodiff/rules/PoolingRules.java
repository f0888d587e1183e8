package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import io.github.ssm4j.autodiff.internal.Reductions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Upsampling2d;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Average and max pooling and upsampling, by non-overlapping blocks (kernel == stride, no padding, no
 * dilation: DL4J's SubsamplingLayer default). Each is a reshape to [.., H/kH, kH, W/kW, kW, ..] and a
 * reduction over the kH and kW axes (or, for upsampling, its transpose). Max pooling routes a window's
 * whole derivative to its first maximum in scan order (row by row), as SameDiff's own maxpool gradient
 * does at ties.
 */
public final class PoolingRules {
    private PoolingRules() {
    }

    public static void register(RuleTable t) {
        t.linear("avgpool2d", (c, v) -> c.sd().cnn.avgPooling2d(v, Blocks.ofPooling(c).config),
                 PoolingRules::avgPoolTranspose)
         .rule("maxpool2d", PoolingRules::maxPoolJvp, PoolingRules::maxPoolVjp)
         .linear("upsampling2d", (c, v) -> upsample(c, v),
                 (c, g) -> Blocks.ofUpsampling(c).sumBlocks(c, Blocks.ofUpsampling(c).block(c, g)));
    }

    /** Each input element of a block receives 1/(kH·kW) of the block's cotangent; a remainder gets zero. */
    private static SDVariable avgPoolTranspose(RuleContext c, SDVariable g) {
        Blocks b = Blocks.ofPooling(c);
        return b.unblock(c, c.sd().tile(b.spread(c, g), b.spreadReps()).div((double) (b.kH * b.kW)));
    }

    private static SDVariable[] maxPoolJvp(JvpContext c) {
        Blocks b = Blocks.ofPooling(c);
        return one(c.withShapeOf(b.sumBlocks(c, maxWeights(c, b).mul(b.block(c, c.tangent(0)))), c.y()));
    }

    private static SDVariable[] maxPoolVjp(VjpContext c) {
        Blocks b = Blocks.ofPooling(c);
        return new SDVariable[] {c.withShapeOf(b.unblock(c, maxWeights(c, b).mul(b.spread(c, c.g()))), c.x())};
    }

    /**
     * One-hot of each window's first maximum in scan order (row by row), in block shape: SameDiff's maxpool
     * gradient convention at ties. The indicator of maxima, its windows flattened to one axis, is the
     * first maximum where no maximum comes before it. All of it comes from a comparison, so it is a
     * constant to every derivative.
     */
    private static SDVariable maxWeights(RuleContext c, Blocks b) {
        SDVariable isMax = b.block(c, c.x()).eq(b.spread(c, c.y())).castTo(c.x().dataType());
        SDVariable windows = b.windows(c, isMax);
        if (b.kH * b.kW == 1) {
            return b.unwindows(c, windows);
        }
        SDVariable first = windows.mul(b.countBefore(c, windows).eq(0.0).castTo(c.x().dataType()));
        return b.unwindows(c, first);
    }

    /**
     * Upsampling as reshape + tile rather than the upsampling2d op: SameDiff's upsampling2d gradient is
     * wrong for NHWC in 1.0.0-M2.1 (O(1) errors), and these ops have correct gradients in both layouts.
     */
    private static SDVariable upsample(RuleContext c, SDVariable v) {
        Blocks b = Blocks.ofUpsampling(c);
        return b.unblock(c, c.sd().tile(b.spread(c, v), b.spreadReps()));
    }

    /**
     * A rank-4 "full" value (pooling input, upsampling output; H, W possibly with a remainder that the
     * blocks do not cover) seen as [N, C, nH, kH, nW, kW] (NCHW) or [N, nH, kH, nW, kW, C] (NHWC).
     */
    private record Blocks(long kH, long kW, long nH, long nW, long fullH, long fullW, long channels, boolean nchw,
                          Pooling2DConfig config) {
        static Blocks ofPooling(RuleContext c) {
            Pooling2DConfig cfg = c.op() instanceof MaxPooling2D m ? m.getConfig()
                    : c.op(AvgPooling2D.class).getConfig();
            Blocks b = of(c, c.x(), c.y(), cfg.getKH(), cfg.getKW(), !cfg.isNHWC(), cfg);
            boolean divisible = b.fullH == b.nH * b.kH && b.fullW == b.nW * b.kW;
            if (cfg.getKH() != cfg.getSH() || cfg.getKW() != cfg.getSW() || cfg.getPH() != 0 || cfg.getPW() != 0
                    || cfg.getDH() != 1 || cfg.getDW() != 1
                    || cfg.getPaddingMode() == PaddingMode.CAUSAL
                    || cfg.getPaddingMode() == PaddingMode.SAME && !divisible) {
                throw ConvolutionRules.unsupported(c, "kernel " + cfg.getKH() + "x" + cfg.getKW() + ", stride "
                        + cfg.getSH() + "x" + cfg.getSW() + ", padding " + cfg.getPH() + "x" + cfg.getPW()
                        + ", dilation " + cfg.getDH() + "x" + cfg.getDW() + ", " + cfg.getPaddingMode() + " on " + b.fullH + "x" + b.fullW
                        + "; only non-overlapping pooling (kernel == stride, no padding or dilation) has a rule");
            }
            return b;
        }

        static Blocks ofUpsampling(RuleContext c) {
            Upsampling2d op = c.op(Upsampling2d.class);
            return of(c, c.y(), c.x(), op.getScaleH(), op.getScaleW(), op.isNchw(), null);
        }

        private static Blocks of(RuleContext c, SDVariable full, SDVariable reduced, long kH, long kW, boolean nchw,
                                 Pooling2DConfig cfg) {
            long[] f = c.shape(full);
            long[] r = c.shape(reduced);
            int ax = nchw ? 2 : 1;
            long channels = f[nchw ? 1 : 3];
            if (f[ax] < 0 || f[ax + 1] < 0 || r[ax] < 0 || r[ax + 1] < 0 || channels < 0) {
                throw ConvolutionRules.unsupported(c, "spatial or channel dimensions that vary between executions");
            }
            return new Blocks(kH, kW, r[ax], r[ax + 1], f[ax], f[ax + 1], channels, nchw, cfg);
        }

        int[] axes() {
            return nchw ? new int[] {3, 5} : new int[] {2, 4};
        }

        /** Full value → block shape, dropping a remainder the blocks do not cover. */
        SDVariable block(RuleContext c, SDVariable v) {
            SDVariable covered = ConvolutionRules.window(c.sd(), v, nchw ? 2 : 1, new long[] {0, 0},
                    new long[] {nH * kH, nW * kW}, new long[] {fullH, fullW});
            return c.sd().reshape(covered, layout(nH, kH, nW, kW));
        }

        /** The transpose of {@link #block}: back to the full shape, zeros in the remainder. */
        SDVariable unblock(RuleContext c, SDVariable v) {
            SDVariable covered = c.sd().reshape(v, layout(nH * kH, nW * kW));
            return ConvolutionRules.window(c.sd(), covered, nchw ? 2 : 1, new long[] {0, 0}, new long[] {fullH, fullW},
                    new long[] {nH * kH, nW * kW});
        }

        /** Σ over the kernel axes of a value in block shape: one element per block, in the reduced layout. */
        SDVariable sumBlocks(RuleContext c, SDVariable blocked) {
            return Reductions.sum(c.sd(), blocked, layout(nH, kH, nW, kW), false, axes());
        }

        /**
         * Block shape to windows flattened in scan order: [N, C, nH, nW, kH·kW] (NCHW) or
         * [N, nH, nW, kH·kW, C] (NHWC).
         */
        SDVariable windows(RuleContext c, SDVariable blocked) {
            SDVariable rows = c.sd().permute(blocked, windowPermutation());    // kH next to kW
            return c.sd().reshape(rows, nchw ? new long[] {-1, channels, nH, nW, kH * kW}
                    : new long[] {-1, nH, nW, kH * kW, channels});
        }

        /** The inverse of {@link #windows}. */
        SDVariable unwindows(RuleContext c, SDVariable w) {
            SDVariable rows = c.sd().reshape(w, nchw ? new long[] {-1, channels, nH, nW, kH, kW}
                    : new long[] {-1, nH, nW, kH, kW, channels});
            return c.sd().permute(rows, windowPermutation());                   // a swap: its own inverse
        }

        /**
         * For each element of a window (see {@link #windows}), how many of the window's elements before it in
         * scan order are set: a product with the constant strictly upper-triangular K×K matrix, K = kH·kW.
         * (Not cumsum: ND4J's cumsum along a short axis of a large array was the slowest op of a LeNet step,
         * 0.7 s a call at batch 64, measured; this is one small matrix product.)
         */
        SDVariable countBefore(RuleContext c, SDVariable windows) {
            int k = (int) (kH * kW);
            float[][] upper = new float[k][k];
            for (int i = 0; i < k; i++) {
                for (int j = i + 1; j < k; j++) {
                    upper[i][j] = 1f;
                }
            }
            SDVariable u = c.sd().constant(Nd4j.create(upper).castTo(windows.dataType()));
            int[] kLast = {0, 1, 2, 4, 3};                                     // NHWC windows: K ↔ C, a swap
            SDVariable rows = nchw ? windows : c.sd().permute(windows, kLast);
            SDVariable counted = c.sd().reshape(c.sd().mmul(c.sd().reshape(rows, -1, k), u),
                    nchw ? new long[] {-1, channels, nH, nW, k} : new long[] {-1, nH, nW, channels, k});
            return nchw ? counted : c.sd().permute(counted, kLast);
        }

        /** Swaps kH with nW: [.., nH, kH, nW, kW, ..] ↔ [.., nH, nW, kH, kW, ..]. */
        private int[] windowPermutation() {
            return nchw ? new int[] {0, 1, 2, 4, 3, 5} : new int[] {0, 1, 3, 2, 4, 5};
        }

        /** A reduced value (one element per block) in block shape with size-1 kernel axes, for broadcasting. */
        SDVariable spread(RuleContext c, SDVariable v) {
            return c.sd().reshape(v, layout(nH, 1, nW, 1));
        }

        /** [batch, channels, spatial…] or [batch, spatial…, channels]. */
        private long[] layout(long... spatial) {
            long[] s = new long[spatial.length + 2];
            s[0] = -1;
            s[nchw ? 1 : s.length - 1] = channels;
            System.arraycopy(spatial, 0, s, nchw ? 2 : 1, spatial.length);
            return s;
        }

        /** Tile repetitions that materialise {@link #spread} to the full block shape. */
        int[] spreadReps() {
            return nchw ? new int[] {1, 1, 1, (int) kH, 1, (int) kW} : new int[] {1, 1, (int) kH, 1, (int) kW, 1};
        }
    }
}
