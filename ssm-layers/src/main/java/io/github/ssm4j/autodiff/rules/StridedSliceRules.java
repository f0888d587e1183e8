package io.github.ssm4j.autodiff.rules;

import io.github.ssm4j.autodiff.RuleContext;
import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.factory.Nd4j;

/**
 * strided_slice, which is linear: forward mode applies the same selection, reverse mode its transpose, a
 * scatter. Both are built from slice, pad and reshape, not from strided_slice itself: SameDiff's gradient
 * of strided_slice is wrong or fails when the first dimension is 1 (batch size 1) in ND4J 1.0.0-M2.1.
 * Constant begin/end/strides with positive strides, begin/end/shrink masks; no ellipsis or new axes.
 */
public final class StridedSliceRules {
    private StridedSliceRules() {
    }

    public static void register(RuleTable t) {
        t.linear("strided_slice", StridedSliceRules::forward, StridedSliceRules::transpose);
    }

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

    private static SDVariable forward(RuleContext c, SDVariable v) {
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
    private static SDVariable transpose(RuleContext c, SDVariable g) {
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
}
