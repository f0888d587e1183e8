package io.github.ssm4j.autodiff;

import static io.github.ssm4j.autodiff.GraphCheck.Domain.POSITIVE;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One row per op (or op variant: broadcasting, keepDims, transpose flags, batch size 1): every rule is
 * checked in both modes, to order 2, and through SameDiff's backprop — see {@link GraphCheck}.
 */
class RuleTableTest {

    static Stream<GraphCheck> elementwise() {
        return Stream.of(
                GraphCheck.of("neg", (sd, x) -> x[0].neg()).batched(4, 3),
                GraphCheck.of("identity", (sd, x) -> sd.identity(x[0])).batched(4, 3),
                GraphCheck.of("square", (sd, x) -> sd.math.square(x[0])).batched(4, 3),
                GraphCheck.of("sqrt", (sd, x) -> sd.math.sqrt(x[0])).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("rsqrt", (sd, x) -> sd.math.rsqrt(x[0])).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("pow 2.5", (sd, x) -> sd.math.pow(x[0], 2.5)).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("exp", (sd, x) -> sd.math.exp(x[0])).batched(4, 3),
                GraphCheck.of("log", (sd, x) -> sd.math.log(x[0])).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("log1p", (sd, x) -> sd.math.log1p(x[0])).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("abs", (sd, x) -> sd.math.abs(x[0])).batched(4, 3),
                GraphCheck.of("reciprocal", (sd, x) -> sd.math.reciprocal(x[0])).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("sin", (sd, x) -> sd.math.sin(x[0])).batched(4, 3),
                GraphCheck.of("cos", (sd, x) -> sd.math.cos(x[0])).batched(4, 3),
                GraphCheck.of("tanh", (sd, x) -> sd.nn.tanh(x[0])).batched(4, 3),
                GraphCheck.of("sigmoid", (sd, x) -> sd.nn.sigmoid(x[0])).batched(4, 3),
                GraphCheck.of("softplus", (sd, x) -> sd.nn.softplus(x[0])).batched(4, 3),
                GraphCheck.of("relu", (sd, x) -> sd.nn.relu(x[0], 0.0)).batched(4, 3),
                // SameDiff's leakyrelu_bp holds alpha as a float (0.2f = 0.2000000030) while the forward op
                // uses the double: its gradient is off by ~1.5e-8 relative, ours matches the forward function.
                GraphCheck.of("leakyRelu", (sd, x) -> sd.nn.leakyRelu(x[0], 0.2)).batched(4, 3)
                        .sameDiffGradientTolerance(1e-7),
                GraphCheck.of("elu", (sd, x) -> sd.nn.elu(x[0])).batched(4, 3),
                GraphCheck.of("selu", (sd, x) -> sd.nn.selu(x[0])).batched(4, 3),
                GraphCheck.of("swish", (sd, x) -> sd.nn.swish(x[0])).batched(4, 3),
                GraphCheck.of("gelu", (sd, x) -> sd.nn.gelu(x[0])).batched(4, 3),
                GraphCheck.of("tanh batch 1", (sd, x) -> sd.nn.tanh(x[0])).batched(1, 3),
                GraphCheck.of("cast to float64 (identity dtype)", (sd, x) -> x[0].castTo(DataType.DOUBLE)).batched(2, 3));
    }

    static Stream<GraphCheck> arithmetic() {
        return Stream.of(
                GraphCheck.of("add scalar", (sd, x) -> x[0].add(1.5)).batched(4, 3),
                GraphCheck.of("sub scalar", (sd, x) -> x[0].sub(1.5)).batched(4, 3),
                GraphCheck.of("mul scalar", (sd, x) -> x[0].mul(-2.5)).batched(4, 3),
                GraphCheck.of("div scalar", (sd, x) -> x[0].div(4.0)).batched(4, 3),
                GraphCheck.of("rsub scalar", (sd, x) -> x[0].rsub(2.0)).batched(4, 3),
                GraphCheck.of("rdiv scalar", (sd, x) -> x[0].rdiv(2.0)).batched(4, 3).domain(POSITIVE),
                GraphCheck.of("add same shape", (sd, x) -> x[0].add(x[1])).batched(4, 3).batched(4, 3),
                GraphCheck.of("add broadcast row", (sd, x) -> x[0].add(x[1])).batched(4, 3).fixed(3),
                GraphCheck.of("add broadcast [1,3]", (sd, x) -> x[0].add(x[1])).batched(4, 3).fixed(1, 3),
                GraphCheck.of("add broadcast column", (sd, x) -> x[0].add(x[1])).batched(4, 3).batched(4, 1),
                GraphCheck.of("add broadcast both", (sd, x) -> x[0].add(x[1])).fixed(4, 1).fixed(1, 3),
                GraphCheck.of("sub broadcast", (sd, x) -> x[1].sub(x[0])).batched(4, 3).fixed(3),
                GraphCheck.of("mul broadcast", (sd, x) -> x[0].mul(x[1])).batched(4, 3).fixed(3),
                GraphCheck.of("mul self", (sd, x) -> x[0].mul(x[0])).batched(4, 3),
                GraphCheck.of("div broadcast", (sd, x) -> x[0].div(x[1])).batched(4, 3).fixed(3).domain(POSITIVE),
                GraphCheck.of("rsub broadcast", (sd, x) -> x[0].rsub(x[1])).batched(4, 3).fixed(3),
                GraphCheck.of("rdiv broadcast", (sd, x) -> x[0].rdiv(x[1])).batched(4, 3).fixed(3).domain(POSITIVE),
                GraphCheck.of("biasAdd", (sd, x) -> sd.nn.biasAdd(x[0], x[1], true)).batched(4, 3).fixed(3),
                GraphCheck.of("biasAdd NCHW", (sd, x) -> sd.nn.biasAdd(x[0], x[1], true)).batched(2, 3, 2, 2).fixed(3),
                GraphCheck.of("biasAdd NHWC", (sd, x) -> sd.nn.biasAdd(x[0], x[1], false)).batched(2, 2, 2, 3).fixed(3),
                GraphCheck.of("mergeAdd", (sd, x) -> sd.math.mergeAdd(x[0], x[1])).batched(4, 3).batched(4, 3));
    }

    static Stream<GraphCheck> linearAlgebra() {
        return Stream.of(
                GraphCheck.of("matmul", (sd, x) -> x[0].mmul(x[1])).batched(4, 3).fixed(3, 5),
                GraphCheck.of("matmul tB", (sd, x) -> sd.mmul(x[0], x[1], false, true, false)).batched(4, 3).fixed(5, 3),
                GraphCheck.of("matmul tA", (sd, x) -> sd.mmul(x[0], x[1], true, false, false)).fixed(3, 4).fixed(3, 5),
                GraphCheck.of("matmul tA tB", (sd, x) -> sd.mmul(x[0], x[1], true, true, false)).fixed(3, 4).fixed(5, 3),
                GraphCheck.of("matmul tR", (sd, x) -> sd.mmul(x[0], x[1], false, false, true)).batched(4, 3).fixed(3, 5),
                GraphCheck.of("matmul batch 1", (sd, x) -> x[0].mmul(x[1])).batched(1, 3).fixed(3, 2),
                GraphCheck.of("batched matmul rank 3", (sd, x) -> x[0].mmul(x[1])).batched(2, 4, 3).batched(2, 3, 5),
                GraphCheck.of("batched matmul rank 3 tB", (sd, x) -> sd.mmul(x[0], x[1], false, true, false))
                        .batched(2, 4, 3).batched(2, 5, 3));
    }

    static Stream<GraphCheck> reductions() {
        return Stream.of(
                GraphCheck.of("sum dim 1", (sd, x) -> sd.sum(x[0], false, 1)).batched(4, 3),
                GraphCheck.of("sum dim 1 keep", (sd, x) -> sd.sum(x[0], true, 1)).batched(4, 3),
                GraphCheck.of("sum dim 0 (batch)", (sd, x) -> sd.sum(x[0], false, 0)).batched(4, 3),
                GraphCheck.of("sum all", (sd, x) -> sd.sum(x[0])).batched(4, 3),
                GraphCheck.of("sum dims 1,2", (sd, x) -> sd.sum(x[0], false, 1, 2)).batched(2, 3, 4),
                GraphCheck.of("mean dim 1", (sd, x) -> sd.mean(x[0], false, 1)).batched(4, 3),
                GraphCheck.of("mean dim 1 keep", (sd, x) -> sd.mean(x[0], true, 1)).batched(4, 3),
                GraphCheck.of("mean dim 0 (batch, dynamic count)", (sd, x) -> sd.mean(x[0], false, 0)).batched(4, 3),
                GraphCheck.of("mean all", (sd, x) -> sd.mean(x[0])).batched(4, 3),
                GraphCheck.of("max dim 1", (sd, x) -> sd.max(x[0], false, 1)).batched(4, 3),
                GraphCheck.of("max dim 1 keep", (sd, x) -> sd.max(x[0], true, 1)).batched(4, 3),
                // SameDiff's own variance gradient is wrong in 1.0.0-M2.1 (docs/dl4j-facts): not a reference here
                GraphCheck.of("variance dim 1", (sd, x) -> sd.variance(x[0], false, 1)).batched(4, 3)
                        .sameDiffGradientTolerance(Double.NaN),
                GraphCheck.of("variance dim 1 bias-corrected", (sd, x) -> sd.variance(x[0], true, 1)).batched(4, 3)
                        .sameDiffGradientTolerance(Double.NaN));
    }

    static Stream<GraphCheck> shapes() {
        return Stream.of(
                GraphCheck.of("reshape", (sd, x) -> sd.reshape(x[0], -1, 2, 3)).batched(4, 6),
                GraphCheck.of("reshape flatten", (sd, x) -> sd.reshape(x[0], -1, 12)).batched(2, 3, 4),
                GraphCheck.of("permute", (sd, x) -> sd.permute(x[0], 2, 0, 1)).batched(2, 3, 4),
                GraphCheck.of("transpose", (sd, x) -> sd.transpose(x[0])).batched(4, 3),
                GraphCheck.of("expandDims", (sd, x) -> sd.expandDims(x[0], 1)).batched(4, 3),
                GraphCheck.of("squeeze", (sd, x) -> sd.squeeze(x[0], 1)).batched(4, 1, 3),
                GraphCheck.of("concat dim 1", (sd, x) -> sd.concat(1, x[0], x[1])).batched(4, 3).batched(4, 2),
                GraphCheck.of("concat dim 1 with itself", (sd, x) -> sd.concat(1, x[0], sd.math.square(x[0]))).batched(4, 3),
                GraphCheck.of("concat with constant", (sd, x) -> sd.concat(0, x[0],
                        sd.constant(Nd4j.ones(DataType.DOUBLE, 1, 3)))).fixed(2, 3),
                GraphCheck.of("stack", (sd, x) -> sd.stack(1, x[0], x[1])).batched(4, 3).batched(4, 3),
                GraphCheck.of("unstack then stack", (sd, x) -> sd.stack(0, sd.math.square(sd.unstack(x[0], 1, 3)[2]),
                        sd.unstack(x[0], 1, 3)[0])).batched(4, 3),
                GraphCheck.of("slice", (sd, x) -> sd.slice(x[0], new int[] {0, 1}, new int[] {-1, 2})).batched(4, 4),
                GraphCheck.of("slice fixed", (sd, x) -> sd.slice(x[0], new int[] {1, 1}, new int[] {2, 2})).fixed(4, 4),
                GraphCheck.of("pad", (sd, x) -> sd.nn.pad(x[0], sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {1, 2}})), 0.0))
                        .batched(3, 3),
                GraphCheck.of("tile", (sd, x) -> sd.tile(x[0], 1, 3)).batched(4, 2),
                GraphCheck.of("tile fixed", (sd, x) -> sd.tile(x[0], 2, 3)).fixed(2, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"elementwise", "arithmetic", "linearAlgebra", "reductions", "shapes"})
    void ruleMatchesFiniteDifferencesAndSameDiff(GraphCheck check) {
        check.verify();
    }

    @org.junit.jupiter.api.BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

}
