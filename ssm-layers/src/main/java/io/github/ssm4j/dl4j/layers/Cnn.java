package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/** Layout helpers for rank-4 image values, NCHW or NHWC. */
final class Cnn {
    private Cnn() {
    }

    static boolean nchw(CNN2DFormat format) {
        return format != CNN2DFormat.NHWC;
    }

    static int channelAxis(CNN2DFormat format) {
        return nchw(format) ? 1 : 3;
    }

    /** The height axis; the width axis follows it. */
    static int heightAxis(CNN2DFormat format) {
        return nchw(format) ? 2 : 1;
    }

    static SDVariable toNchw(SameDiff sd, SDVariable x, CNN2DFormat format) {
        return nchw(format) ? x : sd.permute(x, 0, 3, 1, 2);
    }

    static SDVariable fromNchw(SameDiff sd, SDVariable x, CNN2DFormat format) {
        return nchw(format) ? x : sd.permute(x, 0, 2, 3, 1);
    }

    /** A DL4J bias or per-channel vector ([1, C] or [C]) as [C], the shape SameDiff's conv ops take. */
    static SDVariable vector(SameDiff sd, SDVariable v, long length) {
        return sd.reshape(v, length);
    }

    /** A per-channel vector shaped to broadcast against a rank-4 value of the given format. */
    static SDVariable perChannel(SameDiff sd, SDVariable v, long channels, CNN2DFormat format) {
        return nchw(format) ? sd.reshape(v, 1, channels, 1, 1) : sd.reshape(v, 1, 1, 1, channels);
    }

    /** Zero (or {@code value}) padding of the two spatial axes of an NCHW value. */
    static SDVariable padSpatial(SameDiff sd, SDVariable x, long top, long bottom, long left, long right, double value) {
        if (top == 0 && bottom == 0 && left == 0 && right == 0) {
            return x;
        }
        long[][] pad = {{0, 0}, {0, 0}, {top, bottom}, {left, right}};
        return sd.nn.pad(x, sd.constant(Nd4j.createFromArray(pad)), value);
    }

    static int[] ints(long... v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.toIntExact(v[i]);
        }
        return r;
    }
}
