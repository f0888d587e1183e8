package io.github.ssm4j.examples.flow;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The end of a NICE flow: the diagonal scaling z = h ⊙ exp(s) with learned log-scales s (parameter
 * {@code logScale}, shape [1, D], initialised to 0) and the standard normal prior, giving the energy
 * E = −log p = ½‖z‖² + (D/2)·log 2π − Σ s per example, shape [N, 1]. The coupling layers before it are
 * additive (volume preserving), so Σ s is the whole log-determinant of the flow and E is −log p exactly.
 */
public class NiceEnergyLayer extends SameDiffLayer {
    public static final String LOG_SCALE = "logScale";
    private long size;

    /** For DL4J's JSON. */
    public NiceEnergyLayer() {
    }

    public NiceEnergyLayer(long size) {
        if (size < 1) {
            throw new IllegalArgumentException("NiceEnergyLayer needs at least one feature, got " + size);
        }
        this.size = size;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable h, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable s = params.get(LOG_SCALE);
        SDVariable z = h.mul(sd.math.exp(s));
        SDVariable halfSquare = sd.sum(z.mul(z), true, 1).mul(0.5);
        double normaliser = 0.5 * size * Math.log(2 * Math.PI);
        return halfSquare.add(normaliser).sub(sd.sum(s));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(LOG_SCALE, 1, size);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(LOG_SCALE).assign(0);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(1);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long in = ((InputType.InputTypeFeedForward) inputType).getSize();
        if (size == 0 || override) {
            size = in;
        } else if (in != size) {
            throw new IllegalArgumentException("NiceEnergyLayer of size " + size + " got input of size " + in);
        }
    }

    public long getSize() {
        return size;
    }

    public void setSize(long size) {
        this.size = size;
    }
}
