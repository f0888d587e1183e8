package io.github.ssm4j.dl4j.layers;

import java.util.function.BinaryOperator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pooling of any geometry (overlapping windows, padding, dilation) written as kH·kW shifted views of the
 * padded input combined elementwise, for the cases the pooling ops' derivative rules do not cover
 * (they handle non-overlapping blocks only). Each view is a slice, a reshape that splits every stride
 * step off, and a slice of the first element of each step — ops whose derivative rules and SameDiff
 * gradients are exact, unlike strided_slice, whose SameDiff gradient fails at batch size 1.
 *
 * <p>Positions outside the input hold the combination's neutral value (the lowest finite number for max,
 * 0 for sums), which is how libnd4j's pooling treats padding.
 */
final class PoolingWindows {
    /** Per spatial axis: kernel, stride, dilation, padding before, input and output sizes. */
    record Axis(long k, long s, long d, long before, long in, long out) {
        /** The padded extent the views read: the last view starts at (k − 1)·d and spans out·s. */
        long extent() {
            return (k - 1) * d + out * s;
        }
    }

    private final SameDiff sd;
    private final long channels;
    private final Axis h;
    private final Axis w;

    PoolingWindows(SameDiff sd, long channels, Axis h, Axis w) {
        this.sd = sd;
        this.channels = channels;
        this.h = h;
        this.w = w;
    }

    /** Max over each window of an NCHW value. */
    SDVariable max(SDVariable x) {
        return combine(x, lowest(x.dataType()), (a, b) -> sd.math.max(a, b));
    }

    /** Sum over each window of an NCHW value. */
    SDVariable sum(SDVariable x) {
        return combine(x, 0.0, SDVariable::add);
    }

    /** Per output position, how many window positions lie inside the input: [1, 1, oH, oW]. */
    INDArray insideCounts(DataType type) {
        INDArray counts = Nd4j.create(type, 1, 1, h.out, w.out);
        for (long o = 0; o < h.out; o++) {
            for (long q = 0; q < w.out; q++) {
                counts.putScalar(new long[] {0, 0, o, q}, inside(h, o) * inside(w, q));
            }
        }
        return counts;
    }

    private static long inside(Axis a, long o) {
        long n = 0;
        for (long j = 0; j < a.k; j++) {
            long pos = o * a.s + j * a.d - a.before;
            n += pos >= 0 && pos < a.in ? 1 : 0;
        }
        return n;
    }

    private SDVariable combine(SDVariable x, double fill, BinaryOperator<SDVariable> op) {
        SDVariable framed = frame(x, fill);
        SDVariable r = null;
        for (long i = 0; i < h.k; i++) {
            for (long j = 0; j < w.k; j++) {
                SDVariable v = view(framed, i * h.d, j * w.d);
                r = r == null ? v : op.apply(r, v);
            }
        }
        return r;
    }

    /** x padded (with {@code fill}) or cropped to the extent the views read. */
    private SDVariable frame(SDVariable x, double fill) {
        long keepH = Math.min(h.in, h.extent() - h.before);
        long keepW = Math.min(w.in, w.extent() - w.before);
        SDVariable r = keepH < h.in || keepW < w.in
                ? sd.slice(x, new int[] {0, 0, 0, 0}, Cnn.ints(-1, channels, keepH, keepW)) : x;
        return Cnn.padSpatial(sd, r, h.before, h.extent() - h.before - keepH, w.before,
                w.extent() - w.before - keepW, fill);
    }

    /** framed[:, :, top + o·sH, left + q·sW] for every output position (o, q). */
    private SDVariable view(SDVariable framed, long top, long left) {
        SDVariable v = sd.slice(framed, Cnn.ints(0, 0, top, left), Cnn.ints(-1, channels, h.out * h.s, w.out * w.s));
        if (h.s == 1 && w.s == 1) {
            return v;
        }
        v = sd.reshape(v, -1, channels, h.out, h.s, w.out, w.s);
        v = sd.slice(v, new int[6], Cnn.ints(-1, channels, h.out, 1, w.out, 1));
        return sd.reshape(v, -1, channels, h.out, w.out);
    }

    private static double lowest(DataType type) {
        return switch (type) {
            case DOUBLE -> -Double.MAX_VALUE;
            case FLOAT -> -Float.MAX_VALUE;
            default -> -65504.0;     // half precision's lowest finite value
        };
    }
}
