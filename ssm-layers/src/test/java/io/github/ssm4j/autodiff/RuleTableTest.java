package io.github.ssm4j.autodiff;

import static io.github.ssm4j.autodiff.GraphCheck.A;
import static io.github.ssm4j.autodiff.GraphCheck.B;
import static io.github.ssm4j.autodiff.GraphCheck.C;
import static io.github.ssm4j.autodiff.GraphCheck.Domain.POSITIVE;
import static io.github.ssm4j.autodiff.GraphCheck.N;
import static io.github.ssm4j.autodiff.GraphCheck.P;
import static io.github.ssm4j.autodiff.GraphCheck.Q;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One row per op (or op variant: broadcasting, keepDims, transpose flags): every rule is checked in both
 * modes, to order 2, and through SameDiff's backprop, at the row's shapes and at batch size 1 — see
 * {@link GraphCheck}. Sizes written as letters (N, A, B, C, P, Q) are drawn from a fixed seed; random
 * broadcasting pairs add shapes no one wrote down.
 */
class RuleTableTest {

    static Stream<GraphCheck> elementwise() {
        return Stream.of(
                GraphCheck.of("neg", (sd, x) -> x[0].neg()).batched(N, A),
                GraphCheck.of("identity", (sd, x) -> sd.identity(x[0])).batched(N, A),
                GraphCheck.of("square", (sd, x) -> sd.math.square(x[0])).batched(N, A),
                GraphCheck.of("sqrt", (sd, x) -> sd.math.sqrt(x[0])).batched(N, A).domain(POSITIVE),
                GraphCheck.of("rsqrt", (sd, x) -> sd.math.rsqrt(x[0])).batched(N, A).domain(POSITIVE),
                GraphCheck.of("pow 2.5", (sd, x) -> sd.math.pow(x[0], 2.5)).batched(N, A).domain(POSITIVE),
                GraphCheck.of("exp", (sd, x) -> sd.math.exp(x[0])).batched(N, A),
                GraphCheck.of("log", (sd, x) -> sd.math.log(x[0])).batched(N, A).domain(POSITIVE),
                GraphCheck.of("log1p", (sd, x) -> sd.math.log1p(x[0])).batched(N, A).domain(POSITIVE),
                GraphCheck.of("abs", (sd, x) -> sd.math.abs(x[0])).batched(N, A),
                GraphCheck.of("reciprocal", (sd, x) -> sd.math.reciprocal(x[0])).batched(N, A).domain(POSITIVE),
                GraphCheck.of("sin", (sd, x) -> sd.math.sin(x[0])).batched(N, A),
                GraphCheck.of("cos", (sd, x) -> sd.math.cos(x[0])).batched(N, A),
                GraphCheck.of("tanh", (sd, x) -> sd.nn.tanh(x[0])).batched(N, A),
                GraphCheck.of("sigmoid", (sd, x) -> sd.nn.sigmoid(x[0])).batched(N, A),
                GraphCheck.of("softplus", (sd, x) -> sd.nn.softplus(x[0])).batched(N, A),
                GraphCheck.of("relu", (sd, x) -> sd.nn.relu(x[0], 0.0)).batched(N, A),
                // SameDiff's leakyrelu_bp holds alpha as a float (0.2f = 0.2000000030) while the forward op
                // uses the double: its gradient is off by ~1.5e-8 relative, ours matches the forward function.
                GraphCheck.of("leakyRelu", (sd, x) -> sd.nn.leakyRelu(x[0], 0.2)).batched(N, A)
                        .sameDiffGradientTolerance(1e-7),
                GraphCheck.of("elu", (sd, x) -> sd.nn.elu(x[0])).batched(N, A),
                GraphCheck.of("selu", (sd, x) -> sd.nn.selu(x[0])).batched(N, A),
                GraphCheck.of("swish", (sd, x) -> sd.nn.swish(x[0])).batched(N, A),
                GraphCheck.of("gelu", (sd, x) -> sd.nn.gelu(x[0])).batched(N, A),
                GraphCheck.of("cast to float64 (identity dtype)", (sd, x) -> x[0].castTo(DataType.DOUBLE)).batched(N, A));
    }

    static Stream<GraphCheck> arithmetic() {
        return Stream.of(
                GraphCheck.of("add scalar", (sd, x) -> x[0].add(1.5)).batched(N, A),
                GraphCheck.of("sub scalar", (sd, x) -> x[0].sub(1.5)).batched(N, A),
                GraphCheck.of("mul scalar", (sd, x) -> x[0].mul(-2.5)).batched(N, A),
                GraphCheck.of("div scalar", (sd, x) -> x[0].div(4.0)).batched(N, A),
                GraphCheck.of("rsub scalar", (sd, x) -> x[0].rsub(2.0)).batched(N, A),
                GraphCheck.of("rdiv scalar", (sd, x) -> x[0].rdiv(2.0)).batched(N, A).domain(POSITIVE),
                GraphCheck.of("add same shape", (sd, x) -> x[0].add(x[1])).batched(N, A).batched(N, A),
                GraphCheck.of("add broadcast row", (sd, x) -> x[0].add(x[1])).batched(N, A).fixed(A),
                GraphCheck.of("add broadcast [1,A]", (sd, x) -> x[0].add(x[1])).batched(N, A).fixed(1, A),
                GraphCheck.of("add broadcast column", (sd, x) -> x[0].add(x[1])).batched(N, A).batched(N, 1),
                GraphCheck.of("add broadcast both", (sd, x) -> x[0].add(x[1])).fixed(P, 1).fixed(1, Q),
                GraphCheck.of("sub broadcast", (sd, x) -> x[1].sub(x[0])).batched(N, A).fixed(A),
                GraphCheck.of("mul broadcast", (sd, x) -> x[0].mul(x[1])).batched(N, A).fixed(A),
                GraphCheck.of("mul self", (sd, x) -> x[0].mul(x[0])).batched(N, A),
                GraphCheck.of("div broadcast", (sd, x) -> x[0].div(x[1])).batched(N, P).fixed(P).domain(POSITIVE),
                GraphCheck.of("rsub broadcast", (sd, x) -> x[0].rsub(x[1])).batched(N, A).fixed(A),
                GraphCheck.of("rdiv broadcast", (sd, x) -> x[0].rdiv(x[1])).batched(N, P).fixed(P).domain(POSITIVE),
                // a one-element divisor: SameDiff's own gradient for it is wrong (SameDiffGradientFactsTest)
                GraphCheck.of("div by a broadcast [1]", (sd, x) -> x[0].div(x[1])).batched(N, A).fixed(1)
                        .domain(POSITIVE).sameDiffGradientTolerance(Double.NaN),
                GraphCheck.of("biasAdd", (sd, x) -> sd.nn.biasAdd(x[0], x[1], true)).batched(N, A).fixed(A),
                GraphCheck.of("biasAdd NCHW", (sd, x) -> sd.nn.biasAdd(x[0], x[1], true)).batched(N, A, B, B).fixed(A),
                GraphCheck.of("biasAdd NHWC", (sd, x) -> sd.nn.biasAdd(x[0], x[1], false)).batched(N, B, B, A).fixed(A),
                GraphCheck.of("mergeAdd", (sd, x) -> sd.math.mergeAdd(x[0], x[1])).batched(N, A).batched(N, A));
    }

    /**
     * Products whose result may be a [1, 1] matrix are where SameDiff's own mmul gradient breaks (wrong with
     * one operand transposed, failing for [1, 1]·[1, 1]; SameDiffGradientFactsTest): the general rows keep
     * the result's columns at P, Q ≥ 2, and the vector rows below say where SameDiff is no reference.
     */
    static Stream<GraphCheck> linearAlgebra() {
        return Stream.of(
                GraphCheck.of("matmul", (sd, x) -> x[0].mmul(x[1])).batched(N, A).fixed(A, Q),
                GraphCheck.of("matmul tB", (sd, x) -> sd.mmul(x[0], x[1], false, true, false)).batched(N, A).fixed(Q, A),
                GraphCheck.of("matmul tA", (sd, x) -> sd.mmul(x[0], x[1], true, false, false)).fixed(A, P).fixed(A, Q),
                GraphCheck.of("matmul tA tB", (sd, x) -> sd.mmul(x[0], x[1], true, true, false)).fixed(A, P).fixed(Q, A),
                GraphCheck.of("matmul tR", (sd, x) -> sd.mmul(x[0], x[1], false, false, true)).batched(N, A).fixed(A, Q),
                GraphCheck.of("batched matmul rank 3", (sd, x) -> x[0].mmul(x[1])).batched(N, P, B).batched(N, B, Q),
                GraphCheck.of("batched matmul rank 3 tB", (sd, x) -> sd.mmul(x[0], x[1], false, true, false))
                        .batched(N, P, B).batched(N, Q, B),
                // one output per example ([N, P]·[P, 1]): at batch 1 a [1, 1] product
                GraphCheck.of("matmul to one column", (sd, x) -> x[0].mmul(x[1])).batched(N, P).fixed(P, 1),
                GraphCheck.of("row times column", (sd, x) -> x[0].mmul(x[1])).fixed(1, P).fixed(P, 1),
                // at batch 1, [1, 1]·[1, 1]: SameDiff's gradient fails
                GraphCheck.of("matmul column by [1, 1]", (sd, x) -> x[0].mmul(x[1])).batched(N, 1).fixed(1, 1)
                        .sameDiffGradientToleranceAtBatchOne(Double.NaN),
                GraphCheck.of("matmul tR column by [1, 1]", (sd, x) -> sd.mmul(x[0], x[1], false, false, true))
                        .batched(N, 1).fixed(1, 1).sameDiffGradientToleranceAtBatchOne(Double.NaN),
                // inner products of two columns (tA) or two rows (tB): SameDiff's gradient is wrong
                GraphCheck.of("inner product of columns, tA", (sd, x) -> sd.mmul(x[0], x[1], true, false, false))
                        .fixed(P, 1).fixed(P, 1).sameDiffGradientTolerance(Double.NaN),
                GraphCheck.of("inner product of rows, tB", (sd, x) -> sd.mmul(x[0], x[1], false, true, false))
                        .fixed(1, P).fixed(1, P).sameDiffGradientTolerance(Double.NaN),
                GraphCheck.of("batched matmul rank 3 to [N, 1, 1]", (sd, x) -> x[0].mmul(x[1]))
                        .batched(N, 1, P).batched(N, P, 1),
                // what to use instead of sd.batchMmul (broken in ND4J 1.0.0-M2.1): lists of matrices, stacked
                GraphCheck.of("batchMmul replacement: stack, rank-3 mmul tA tB, unstack", (sd, x) -> {
                    SDVariable[] products = sd.unstack(sd.mmul(sd.stack(0, x[0], x[1]), sd.stack(0, x[2], x[3]),
                            true, true, false), 0, 2);
                    return products[0].add(products[1].mul(2.0));
                }).fixed(A, P).fixed(A, P).fixed(Q, A).fixed(Q, A));
    }

    /** ND4J's own reduction over the batch of a rank-2 array fails at batch size 1 (docs/AUTODIFF.md). */
    private static final String BATCH_REDUCTION = "the graph's own reduction over the batch of a rank-2 array";

    static Stream<GraphCheck> reductions() {
        // reduced dimensions of rank-2 inputs have size P ≥ 2: a graph's own sum over [N, 1] fails in ND4J
        return Stream.of(
                GraphCheck.of("sum dim 1", (sd, x) -> sd.sum(x[0], false, 1)).batched(N, P),
                GraphCheck.of("sum dim 1 keep", (sd, x) -> sd.sum(x[0], true, 1)).batched(N, P),
                GraphCheck.of("sum dim 0 (batch)", (sd, x) -> sd.sum(x[0], false, 0)).batched(N, P)
                        .forwardFailsAtBatchOne(BATCH_REDUCTION),
                GraphCheck.of("sum dim 0 (batch) rank 3", (sd, x) -> sd.sum(x[0], false, 0)).batched(N, A, B),
                GraphCheck.of("sum all", (sd, x) -> sd.sum(x[0])).batched(N, A),
                GraphCheck.of("sum dims 1,2", (sd, x) -> sd.sum(x[0], false, 1, 2)).batched(N, A, B),
                GraphCheck.of("sum dims 1,2 keep", (sd, x) -> sd.sum(x[0], true, 1, 2)).batched(N, A, B),
                GraphCheck.of("mean dim 1", (sd, x) -> sd.mean(x[0], false, 1)).batched(N, P),
                GraphCheck.of("mean dim 1 keep", (sd, x) -> sd.mean(x[0], true, 1)).batched(N, P),
                GraphCheck.of("mean dim 0 (batch, dynamic count)", (sd, x) -> sd.mean(x[0], false, 0)).batched(N, P)
                        .forwardFailsAtBatchOne(BATCH_REDUCTION),
                GraphCheck.of("mean dims 0,2 (batch, dynamic count)", (sd, x) -> sd.mean(x[0], false, 0, 2))
                        .batched(N, A, B),
                GraphCheck.of("mean all", (sd, x) -> sd.mean(x[0])).batched(N, A),
                GraphCheck.of("max dim 1", (sd, x) -> sd.max(x[0], false, 1)).batched(N, P),
                GraphCheck.of("max dim 1 keep", (sd, x) -> sd.max(x[0], true, 1)).batched(N, P),
                GraphCheck.of("max dims 1,2", (sd, x) -> sd.max(x[0], false, 1, 2)).batched(N, A, B),
                // SameDiff's own variance gradient is wrong in 1.0.0-M2.1 (docs/dl4j-facts): not a reference here
                GraphCheck.of("variance dim 1", (sd, x) -> sd.variance(x[0], false, 1)).batched(N, P)
                        .sameDiffGradientTolerance(Double.NaN),
                GraphCheck.of("variance dim 1 bias-corrected", (sd, x) -> sd.variance(x[0], true, 1)).batched(N, P)
                        .sameDiffGradientTolerance(Double.NaN),
                // reductions the rules emit over size-1 dimensions: a sum of a [N, A] product over the batch
                GraphCheck.of("broadcast product then per-example sum", (sd, x) -> sd.sum(x[0].mul(x[1]), false, 1))
                        .batched(N, P).fixed(1, P),
                GraphCheck.of("Hvp.sumPerExample [N, 1]", (sd, x) -> Hvp.sumPerExample(sd.math.square(x[0])))
                        .batched(N, 1),
                GraphCheck.of("Hvp.sumPerExample [N, A, B]", (sd, x) -> Hvp.sumPerExample(sd.math.square(x[0])))
                        .batched(N, A, B));
    }

    static Stream<GraphCheck> shapes() {
        return Stream.of(
                GraphCheck.of("reshape", (sd, x) -> sd.reshape(x[0], -1, 2, 3)).batched(N, 6),
                GraphCheck.of("reshape flatten", (sd, x) -> sd.reshape(x[0], -1, 12)).batched(N, 3, 4),
                GraphCheck.of("permute", (sd, x) -> sd.permute(x[0], 2, 0, 1)).batched(N, A, B),
                GraphCheck.of("permute rank 4", (sd, x) -> sd.permute(x[0], 3, 0, 2, 1)).batched(N, A, B, C),
                GraphCheck.of("transpose", (sd, x) -> sd.transpose(x[0])).batched(N, A),
                // P, not A: ND4J's expand_dims and squeeze misbehave on all-ones arrays ([1, 1] at batch 1; ReductionsTest)
                GraphCheck.of("expandDims", (sd, x) -> sd.expandDims(x[0], 1)).batched(N, P),
                GraphCheck.of("squeeze", (sd, x) -> sd.squeeze(x[0], 1)).batched(N, 1, P),
                GraphCheck.of("concat dim 1", (sd, x) -> sd.concat(1, x[0], x[1])).batched(N, A).batched(N, B),
                GraphCheck.of("concat dim 1 with itself", (sd, x) -> sd.concat(1, x[0], sd.math.square(x[0]))).batched(N, A),
                GraphCheck.of("concat with constant", (sd, x) -> sd.concat(0, x[0],
                        sd.constant(Nd4j.ones(DataType.DOUBLE, 1, 3)))).fixed(2, 3),
                GraphCheck.of("stack", (sd, x) -> sd.stack(1, x[0], x[1])).batched(N, A).batched(N, A),
                GraphCheck.of("unstack then stack", (sd, x) -> sd.stack(0, sd.math.square(sd.unstack(x[0], 1, 3)[2]),
                        sd.unstack(x[0], 1, 3)[0])).batched(N, 3),
                GraphCheck.of("slice", (sd, x) -> sd.slice(x[0], new int[] {0, 1}, new int[] {-1, 2})).batched(N, 4),
                GraphCheck.of("slice fixed", (sd, x) -> sd.slice(x[0], new int[] {1, 1}, new int[] {2, 2})).fixed(4, 4),
                GraphCheck.of("pad", (sd, x) -> sd.nn.pad(x[0], sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {1, 2}})), 0.0))
                        .batched(N, A),
                GraphCheck.of("tile", (sd, x) -> sd.tile(x[0], 1, 3)).batched(N, A),
                GraphCheck.of("tile fixed", (sd, x) -> sd.tile(x[0], 2, 3)).fixed(A, B),
                GraphCheck.of("tile rank 1, one copy", (sd, x) -> sd.tile(x[0], 1)).fixed(P));
    }

    /**
     * Binary broadcasting ops on random shape pairs drawn from {@link GraphCheck#SEED}: rank 1–4, sizes
     * 1–3, the smaller operand with fewer dimensions and/or size-1 dimensions, on either side, sometimes
     * both operands broadcast. The batch dimension is never broadcast (an engine assumption, documented).
     */
    static Stream<GraphCheck> randomBroadcasting() {
        Random r = new Random(GraphCheck.SEED);
        List<GraphCheck> rows = new ArrayList<>();
        String[] ops = {"add", "sub", "mul", "div", "rsub", "rdiv"};
        for (String op : ops) {
            for (int k = 0; k < 4; k++) {
                long[][] pair;
                do {
                    pair = broadcastPair(r);
                } while (ndBroadcastBroken(pair[0], pair[1]) || ndBroadcastBroken(batchOne(pair[0]),
                        pair[2][0] == 1 ? batchOne(pair[1]) : pair[1]));
                long[] big = pair[0];
                long[] small = pair[1];
                boolean smallBatched = pair[2][0] == 1;
                boolean smallFirst = r.nextBoolean();
                GraphCheck.Builder f = (sd, x) -> binary(op, smallFirst ? x[1] : x[0], smallFirst ? x[0] : x[1]);
                GraphCheck row = GraphCheck.of(op + " random broadcast #" + k + (smallFirst ? " (small first)" : ""), f)
                        .batched(big);
                row = smallBatched ? row.batched(small) : row.fixed(small);
                if (op.contains("div")) {
                    row.domain(POSITIVE);
                    // SameDiff's own gradient of a/b and b/a (divide, reversedivide) is wrong when the op's
                    // second operand has one element, rank ≤ 2, and the first has more (SameDiffGradientFactsTest)
                    long[] smallOne = smallBatched ? batchOne(small) : small;
                    row.sameDiffGradientTolerance(divisionGradientBroken(smallFirst, big, small) ? Double.NaN : 1e-9);
                    row.sameDiffGradientToleranceAtBatchOne(
                            divisionGradientBroken(smallFirst, batchOne(big), smallOne) ? Double.NaN : 1e-9);
                }
                rows.add(row);
            }
        }
        return rows.stream();
    }

    /** {big, small, {1 if small has the batch dimension}}: small lacks leading dimensions or has 1s. */
    private static long[][] broadcastPair(Random r) {
        int rank = 1 + r.nextInt(4);
        long[] full = new long[rank];
        full[0] = 2 + r.nextInt(2);
        for (int i = 1; i < rank; i++) {
            full[i] = 1 + r.nextInt(3);
        }
        int drop = r.nextInt(rank);                      // leading dimensions the small operand lacks
        boolean smallBatched = drop == 0 && r.nextBoolean();
        long[] big = full.clone();
        long[] small = java.util.Arrays.copyOfRange(full, drop, rank);
        for (int i = 0; i < small.length; i++) {
            if (i == 0 && drop == 0) {
                small[0] = smallBatched ? full[0] : 1;
            } else if (r.nextBoolean()) {
                small[i] = 1;
            } else if (full[drop + i] > 1 && r.nextInt(4) == 0) {
                big[drop + i] = 1;                       // both operands broadcast
            }
        }
        return new long[][] {big, small, {smallBatched ? 1 : 0}};
    }

    private static long[] batchOne(long[] shape) {
        long[] s = shape.clone();
        s[0] = 1;
        return s;
    }

    /**
     * ND4J's own broadcasting (the forward op, not a derivative) treats a one-element operand of rank ≥ 2
     * as a scalar: against an operand of lower rank the result loses dimensions ([1, 1] + [2] is [2], not
     * [1, 2]), and b/a fails. There is then no function to differentiate; such pairs are not drawn.
     */
    private static boolean ndBroadcastBroken(long[] a, long[] b) {
        return length(a) == 1 && a.length >= 2 && b.length < a.length
                || length(b) == 1 && b.length >= 2 && a.length < b.length;
    }

    /** Whether SameDiff's gradient of the op (inputs: small and big, in that order if smallFirst) is wrong. */
    private static boolean divisionGradientBroken(boolean smallFirst, long[] big, long[] small) {
        long[] first = smallFirst ? small : big;
        long[] second = smallFirst ? big : small;
        return length(second) == 1 && second.length <= 2 && length(first) > 1;
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static SDVariable binary(String op, SDVariable a, SDVariable b) {
        return switch (op) {
            case "add" -> a.add(b);
            case "sub" -> a.sub(b);
            case "mul" -> a.mul(b);
            case "div" -> a.div(b);
            case "rsub" -> a.rsub(b);
            case "rdiv" -> a.rdiv(b);
            default -> throw new IllegalArgumentException(op);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"elementwise", "arithmetic", "linearAlgebra", "reductions", "shapes", "randomBroadcasting"})
    void ruleMatchesFiniteDifferencesAndSameDiff(GraphCheck check) {
        check.verify();
    }

    @org.junit.jupiter.api.BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

}
