package io.github.ssm4j.examples.flow;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A fixed permutation of the features: the even-indexed ones first, then the odd-indexed ones
 * ([x0, x2, …, x1, x3, …]), as in NICE, so that the halves a coupling layer splits into are interleaved
 * pixels (alternate columns of an image) rather than its top and bottom. A permutation has |det J| = 1, so
 * it adds nothing to the log-likelihood. Written as reshape [N, D/2, 2] → permute → reshape, ops with
 * derivative rules, so score matching can differentiate through it.
 */
public class EvenOddSplitLayer extends SameDiffLambdaLayer {
    private long size;

    /** For DL4J's JSON. */
    public EvenOddSplitLayer() {
    }

    public EvenOddSplitLayer(long size) {
        if (size < 2 || size % 2 != 0) {
            throw new IllegalArgumentException("An even/odd split needs an even number of features, got " + size);
        }
        this.size = size;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable x) {
        SDVariable pairs = sd.reshape(x, -1, size / 2, 2);
        return sd.reshape(sd.permute(pairs, 0, 2, 1), -1, size);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeFeedForward ff) || ff.getSize() != size) {
            throw new IllegalArgumentException("EvenOddSplitLayer of size " + size + " needs flat input of that size, got "
                    + inputType);
        }
        return inputType;
    }

    public long getSize() {
        return size;
    }

    public void setSize(long size) {
        this.size = size;
    }
}
