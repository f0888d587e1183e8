package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.autodiff.DerivativeRules;
import io.github.ssm4j.autodiff.Jvp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The vertices' SameDiff graphs use only ops that ssm4j's derivative engine has rules for, and the engine's
 * forward mode through them agrees with central differences — so score-matching objectives that need
 * vᵀ(∇ₓs)v can differentiate a network built with them.
 */
class ConditionalVerticesEngineTest {

    static Stream<Arguments> vertices() {
        return Stream.of(
                Arguments.of(new DivideBySigmaVertex(), new long[] {3, 4}),
                Arguments.of(new DivideBySigmaVertex(), new long[] {3, 2, 3, 3}),
                Arguments.of(SigmaFiLMVertex.builder().channels(4).build(), new long[] {3, 4}),
                Arguments.of(SigmaFiLMVertex.builder().channels(4).build(), new long[] {3, 4, 5}),
                Arguments.of(SigmaFiLMVertex.builder().channels(2).build(), new long[] {3, 2, 3, 3}),
                Arguments.of(SigmaFiLMVertex.builder().channels(2).dataFormat(CNN2DFormat.NHWC).build(),
                        new long[] {3, 3, 3, 2}),
                Arguments.of(ConditionalInstanceNormVertex.builder().channels(2).build(), new long[] {3, 2, 3, 3}),
                Arguments.of(ConditionalInstanceNormVertex.builder().channels(2).dataFormat(CNN2DFormat.NHWC)
                        .build(), new long[] {3, 3, 2, 2}));
    }

    /** The vertex's graph as DL4J builds it: placeholders [-1, ...] and parameter variables. */
    private static SDVariable define(SameDiff sd, SigmaConditionedVertex vertex, long[] shape) {
        long[] declared = shape.clone();
        declared[0] = -1;
        Map<String, SDVariable> inputs = new LinkedHashMap<>();
        inputs.put(SigmaConditionedVertex.INPUT, sd.placeHolder(SigmaConditionedVertex.INPUT, DataType.DOUBLE,
                declared));
        inputs.put(SigmaConditionedVertex.SIGMA, sd.placeHolder(SigmaConditionedVertex.SIGMA, DataType.DOUBLE, -1, 1));
        Map<String, SDVariable> params = new LinkedHashMap<>();
        long seed = 11;
        for (Map.Entry<String, long[]> p : vertex.getVertexParams().getParamShapes().entrySet()) {
            params.put(p.getKey(), sd.var(p.getKey(), ConditionalGraphs.randn(seed++, p.getValue()).muli(0.5)));
        }
        return vertex.defineVertex(sd, inputs, params, null);
    }

    @ParameterizedTest
    @MethodSource("vertices")
    void everyOpHasADerivativeRule(SigmaConditionedVertex vertex, long[] shape) {
        SameDiff sd = SameDiff.create();
        define(sd, vertex, shape);
        for (SameDiffOp op : sd.getOps().values()) {
            assertTrue(DerivativeRules.supports(op.getOp()), vertex + " emits '" + op.getOp().opName()
                    + "', which has no derivative rule");
        }
    }

    @ParameterizedTest
    @MethodSource("vertices")
    void forwardModeAgreesWithCentralDifferences(SigmaConditionedVertex vertex, long[] shape) {
        SameDiff sd = SameDiff.create();
        SDVariable out = define(sd, vertex, shape);
        SDVariable x = sd.getVariable(SigmaConditionedVertex.INPUT);
        SDVariable tangent = sd.placeHolder("tangent", DataType.DOUBLE, x.placeholderShape());
        SDVariable jvp = Jvp.of(out, x, tangent);

        INDArray xValue = ConditionalGraphs.randn(1, shape);
        INDArray t = ConditionalGraphs.randn(2, shape);
        INDArray sigma = ConditionalGraphs.sigmas(3, (int) shape[0]);
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(SigmaConditionedVertex.INPUT, xValue);
        feed.put(SigmaConditionedVertex.SIGMA, sigma);
        feed.put("tangent", t);
        INDArray forward = sd.output(feed, jvp.name()).get(jvp.name());

        double h = 1e-6;
        feed.put(SigmaConditionedVertex.INPUT, xValue.add(t.mul(h)));
        INDArray plus = sd.output(feed, out.name()).get(out.name());
        feed.put(SigmaConditionedVertex.INPUT, xValue.sub(t.mul(h)));
        INDArray minus = sd.output(feed, out.name()).get(out.name());
        INDArray numeric = plus.sub(minus).divi(2 * h);
        double scale = numeric.norm2Number().doubleValue();
        assertEquals(0, forward.sub(numeric).norm2Number().doubleValue(), 1e-6 * (1 + scale),
                vertex + ": JVP " + forward + " vs central difference " + numeric);
    }
}
