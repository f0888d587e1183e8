package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small convolutional score network (conv → softplus → avg-pool → upsampling → concat with the input →
 * conv, NCHW, 1×6×6): the full Jacobian from D JVPs equals the one from D VJPs and central differences,
 * and every rule check of {@link GraphCheck} passes for the whole network.
 */
class CnnCompositeTest {
    private static final int C = 1;
    private static final int S = 6;
    private static final int D = C * S * S;

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static SDVariable cnn(SameDiff sd, SDVariable x) {
        Nd4j.getRandom().setSeed(11);
        Conv2DConfig same = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).paddingMode(PaddingMode.SAME)
                .dataFormat("NCHW").build();
        SDVariable w1 = sd.var("w1", Nd4j.randn(DataType.DOUBLE, 3, 3, C, 3).muli(0.4));
        SDVariable b1 = sd.var("b1", Nd4j.randn(DataType.DOUBLE, 3).muli(0.1));
        SDVariable h = sd.nn.softplus(sd.cnn.conv2d(x, w1, b1, same));
        h = sd.cnn.avgPooling2d(h, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
        h = sd.cnn.upsampling2d(h, 2, 2, true);
        h = sd.concat(1, h, x);
        SDVariable w2 = sd.var("w2", Nd4j.randn(DataType.DOUBLE, 3, 3, 3 + C, C).muli(0.4));
        return sd.cnn.conv2d(h, w2, same);
    }

    @Test
    void cnnPassesEveryRuleCheck() {
        GraphCheck.of("cnn", (sd, x) -> cnn(sd, x[0])).batched(2, C, S, S).verify();
    }

    @Test
    void jacobianFromJvpsEqualsJacobianFromVjpsAndFiniteDifferences() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, C, S, S);
        SDVariable e = sd.placeHolder("e", DataType.DOUBLE, -1, C, S, S);
        SDVariable y = cnn(sd, x);
        SDVariable jvp = Jvp.of(y, x, e);
        SDVariable vjp = Vjp.of(y, x, e);
        INDArray xv = Nd4j.randn(DataType.DOUBLE, 1, C, S, S);
        INDArray byJvp = Nd4j.create(DataType.DOUBLE, D, D);   // [i, j] = ∂yᵢ/∂xⱼ
        INDArray byVjp = Nd4j.create(DataType.DOUBLE, D, D);
        INDArray byFd = Nd4j.create(DataType.DOUBLE, D, D);
        double h = 1e-5;
        for (int k = 0; k < D; k++) {
            INDArray basis = Nd4j.zeros(DataType.DOUBLE, 1, D);
            basis.putScalar(0, k, 1.0);
            basis = basis.reshape(1, C, S, S);
            Map<String, INDArray> out = sd.output(Map.of("x", xv, "e", basis), jvp.name(), vjp.name());
            byJvp.getColumn(k).assign(out.get(jvp.name()).reshape(D));
            byVjp.getRow(k).assign(out.get(vjp.name()).reshape(D));
            INDArray plus = sd.output(Map.of("x", xv.add(basis.mul(h))), y.name()).get(y.name());
            INDArray minus = sd.output(Map.of("x", xv.sub(basis.mul(h))), y.name()).get(y.name());
            byFd.getColumn(k).assign(plus.sub(minus).divi(2 * h).reshape(D));
        }
        assertTrue(byJvp.equalsWithEps(byVjp, 1e-12), "JVP vs VJP Jacobian differ");
        assertTrue(byJvp.equalsWithEps(byFd, 1e-6), "JVP vs finite-difference Jacobian differ");
    }
}
