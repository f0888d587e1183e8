package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.UnsupportedNetworkException;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;

/**
 * Network input types: where a configuration records them, how to ask for them where it does not, and
 * their static shapes.
 *
 * <p>DL4J keeps no {@code InputType} in a built configuration ({@code setInputType} only uses it to add
 * preprocessors and set nIn). What survives is enough when the first layer takes flat input: a
 * {@code FeedForwardToCnnPreProcessor} (from {@code InputType.convolutionalFlat}) names height, width and
 * channels, a dense or output layer its nIn. A first convolutional layer knows its channels but not the
 * image size, so then the caller must give the type.
 */
final class InputTypes {
    private InputTypes() {
    }

    /** The input type implied by the first layer and its preprocessor, or {@code null} if none is. */
    static InputType implied(Layer first, InputPreProcessor preprocessor) {
        if (preprocessor instanceof FeedForwardToCnnPreProcessor p) {
            return InputType.convolutionalFlat(p.getInputHeight(), p.getInputWidth(), p.getNumChannels());
        }
        if (preprocessor instanceof CnnToFeedForwardPreProcessor p && p.getInputHeight() > 0) {
            return InputType.convolutional(p.getInputHeight(), p.getInputWidth(), p.getNumChannels(), p.getFormat());
        }
        if (preprocessor == null && (first instanceof DenseLayer || first instanceof BaseOutputLayer
                && !(first instanceof RnnOutputLayer))) {
            long nIn = ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) first).getNIn();
            return nIn > 0 ? InputType.feedForward(nIn) : null;
        }
        return null;
    }

    static UnsupportedNetworkException missing(String input, String call) {
        return new UnsupportedNetworkException(UnsupportedNetworkException.Kind.INPUT, input, "The input size of "
                + input + " is not recorded in the network's configuration (DL4J keeps no InputType after "
                + "building; only a first dense layer's nIn or a FeedForwardToCnnPreProcessor reveal it). Give it "
                + "explicitly: " + call + ", e.g. InputType.convolutional(height, width, channels), or the "
                + "per-example shape: NetworkTranslator.translate(net, new long[] {channels, height, width})");
    }

    /** The placeholder shape of a value of this type: {@code -1} for the batch. */
    static long[] shapeOf(InputType type) {
        long[] s;
        if (type instanceof InputType.InputTypeFeedForward f) {
            s = new long[] {-1, f.getSize()};
        } else if (type instanceof InputType.InputTypeConvolutionalFlat f) {
            s = new long[] {-1, f.getFlattenedSize()};
        } else {
            s = type.getShape(true).clone();
        }
        s[0] = -1;
        return s;
    }

    /**
     * The type of one example of shape {@code shape} (no batch dimension): [n] is feed-forward, [c, h, w]
     * convolutional in the format of the layer that reads it ([h, w, c] if that layer is NHWC).
     */
    static InputType fromShape(long[] shape, Layer reader) {
        if (shape.length == 1) {
            return InputType.feedForward(shape[0]);
        }
        if (shape.length == 3) {
            return formatOf(reader) == CNN2DFormat.NHWC
                    ? InputType.convolutional(shape[0], shape[1], shape[2], CNN2DFormat.NHWC)
                    : InputType.convolutional(shape[1], shape[2], shape[0], CNN2DFormat.NCHW);
        }
        throw new IllegalArgumentException("An input shape per example must be [features] or [channels, height, "
                + "width] ([height, width, channels] for NHWC networks), not " + Arrays.toString(shape)
                + "; for other inputs pass an InputType");
    }

    private static CNN2DFormat formatOf(Layer layer) {
        if (layer instanceof ConvolutionLayer c) {
            return c.getCnn2dDataFormat();
        }
        if (layer instanceof SubsamplingLayer s) {
            return s.getCnn2dDataFormat();
        }
        if (layer instanceof BatchNormalization b) {
            return b.getCnn2DFormat();
        }
        if (layer instanceof CnnLossLayer l) {
            return l.getFormat();
        }
        return CNN2DFormat.NCHW;
    }
}
