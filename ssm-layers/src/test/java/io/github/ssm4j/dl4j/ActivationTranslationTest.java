package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.layers.TranslatorTable;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.activations.impl.ActivationRationalTanh;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Every DL4J activation with a translator: on a grid through its kinks it equals
 * {@code IActivation.getActivation(x, false)} to 1e-12, and inside a dense network the translation passes
 * every {@link TranslationCheck} (output, JVP, parameter gradients).
 */
class ActivationTranslationTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<Arguments> activations() {
        return Stream.of(
                a(new ActivationIdentity()), a(new ActivationReLU()), a(new ActivationReLU(2.5, null, null)),
                a(new ActivationReLU(null, 0.3, 0.1)), a(new ActivationReLU(1.5, null, 0.2)),
                a(new ActivationLReLU(0.2)), a(new ActivationELU()), a(new ActivationELU(0.5)),
                a(new ActivationSELU()), a(new ActivationTanH()), a(new ActivationSigmoid()),
                a(new ActivationSoftPlus()), a(new ActivationSwish()), a(new ActivationGELU()),
                a(new ActivationGELU(true)), a(new ActivationSoftmax()), a(new ActivationSoftSign()),
                a(new ActivationCube()), a(new ActivationHardTanH()), a(new ActivationHardSigmoid()),
                a(new ActivationReLU6()), a(new ActivationRectifiedTanh()), a(new ActivationRationalTanh()),
                a(new ActivationMish()), a(new ActivationThresholdedReLU(0.3)), a(new ActivationRReLU()));
    }

    private static Arguments a(IActivation activation) {
        return Arguments.of(activation.toString(), activation);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void equalsDl4jOnAGridThroughItsKinks(String name, IActivation activation) {
        double[] v = new double[161];
        for (int i = 0; i < v.length; i++) {
            v[i] = -8.0 + 0.1 * i;       // -8, -7.9, ..., 8: includes 0, ±1, ±2.5, 6 up to rounding
        }
        v[80] = 0.0;
        INDArray x = Nd4j.createFromArray(v).reshape(7, 23);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 23);
        SDVariable out = TranslatorTable.global().forActivation(activation).apply(activation, in, 2);
        INDArray ours = sd.output(java.util.Map.of("x", x), out.name()).get(out.name());
        INDArray theirs = activation.getActivation(x.dup(), false);
        double maxDiff = ours.sub(theirs).amaxNumber().doubleValue();
        assertTrue(maxDiff <= 1e-12 * (1 + theirs.amaxNumber().doubleValue()),
                name + ": max |diff| " + maxDiff + "\nours   " + ours + "\ntheirs " + theirs);
    }

    /**
     * libnd4j's softplus overflows to +∞ in float32 from x ≈ 88.7; the translation continues it linearly
     * from 64, which must equal the exact log1p(exp(x)) (computed stably here in Java double) to float32
     * rounding on both sides of 64 and of 88.7, and stay finite where DL4J's is not. Tolerance: 2 ulp of
     * the exact value, or of 1 for x < 0, where the op's 1 + e^x rounds (an absolute 2.4e-7).
     */
    @org.junit.jupiter.api.Test
    void softplusStaysFiniteInFloat32WhereLibnd4jOverflows() {
        float[] v = {-200f, -30f, -1f, 0f, 1f, 30f, 63.5f, 64f, 64.5f, 88f, 89f, 100f, 1e4f, 3e37f};
        INDArray x = Nd4j.createFromArray(v).reshape(1, v.length);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.FLOAT, 1, v.length);
        IActivation softplus = new ActivationSoftPlus();
        SDVariable out = TranslatorTable.global().forActivation(softplus).apply(softplus, in, 2);
        float[] ours = sd.output(java.util.Map.of("x", x), out.name()).get(out.name()).toFloatVector();
        float[] dl4j = softplus.getActivation(x.dup(), false).toFloatVector();
        assertTrue(Float.isInfinite(dl4j[10]), "libnd4j's float32 softplus(89) overflowed when this test was "
                + "written; if it no longer does, the linear continuation may be dropped: " + dl4j[10]);
        for (int i = 0; i < v.length; i++) {
            double exact = Math.max(v[i], 0) + Math.log1p(Math.exp(-Math.abs((double) v[i])));
            assertTrue(Math.abs(ours[i] - exact) <= 2 * Math.ulp((float) Math.max(exact, 1.0)),
                    "softplus(" + v[i] + ") = " + ours[i] + ", exact " + exact);
        }
    }

    /**
     * Around the joint at 64 the translated softplus has the exact first derivative σ(x) by forward mode
     * (Jvp) and by reverse mode (Vjp), and the second derivative σ(x)(1 − σ(x)) (0 above the joint, where
     * the true value e^−x is below float64's resolution of 1): float64, elementwise, so the tangent of ones
     * gives each point's derivative.
     */
    @org.junit.jupiter.api.Test
    void softplusDerivativesAreSigmoidAcrossTheJoint() {
        double[] v = {-3, 0, 10, 63.9, 64, 64.1, 100, 800};
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var("x", Nd4j.createFromArray(v).reshape(1, v.length));
        IActivation softplus = new ActivationSoftPlus();
        SDVariable out = TranslatorTable.global().forActivation(softplus).apply(softplus, in, 2);
        SDVariable ones = sd.constant("ones", Nd4j.ones(DataType.DOUBLE, 1, v.length));
        SDVariable forward = io.github.ssm4j.autodiff.Jvp.of(out, in, ones);
        SDVariable reverse = io.github.ssm4j.autodiff.Vjp.of(out, in, ones);
        SDVariable second = io.github.ssm4j.autodiff.Jvp.of(forward, in, ones);
        java.util.Map<String, INDArray> r = sd.output(java.util.Map.of(), forward.name(), reverse.name(), second.name());
        double[] jvp = r.get(forward.name()).toDoubleVector();
        double[] vjp = r.get(reverse.name()).toDoubleVector();
        double[] curvature = r.get(second.name()).toDoubleVector();
        for (int i = 0; i < v.length; i++) {
            double sigma = 1 / (1 + Math.exp(-v[i]));
            double sigmaPrime = v[i] > io.github.ssm4j.dl4j.layers.ActivationTranslators.SOFTPLUS_LINEAR_FROM ? 0 : sigma * (1 - sigma);
            assertTrue(Math.abs(jvp[i] - sigma) <= 1e-15 && Math.abs(vjp[i] - sigma) <= 1e-15,
                    "softplus'(" + v[i] + "): jvp " + jvp[i] + ", vjp " + vjp[i] + ", exact " + sigma);
            assertTrue(Math.abs(curvature[i] - sigmaPrime) <= 1e-15,
                    "softplus''(" + v[i] + ") = " + curvature[i] + ", exact " + sigmaPrime);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void denseNetworkWithItTranslates(String name, IActivation activation) {
        MultiLayerNetwork net = Networks.mln(InputType.feedForward(4),
                new DenseLayer.Builder().nOut(5).activation(activation).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3).activation(activation).build());
        TranslationCheck check = TranslationCheck.of(name, net, () -> NetworkTranslator.translate(net));
        if (activation instanceof ActivationRReLU) {
            check.inferenceOnly();     // random slopes in training mode
        }
        check.verify();
    }
}
