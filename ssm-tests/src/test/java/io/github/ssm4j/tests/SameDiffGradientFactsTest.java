package io.github.ssm4j.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.util.QuietSameDiff;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What ssm4j relies on in SameDiff itself: its first-order gradient of every op our rules emit (SameDiff
 * takes the last step to the weights through them), checked as in docs/dl4j-facts: l = Σ op(x)² and
 * {@code calculateGradients} against float64 central differences. Known-wrong gradients are pinned as
 * wrong, so an ND4J upgrade that changes either list makes this test fail and the docs get revisited.
 *
 * <p>Tolerance: central differences with h = 1e-6 on O(1) inputs are accurate to ~1e-9 relative; 1e-6
 * leaves margin. "Wrong" means a relative error above 1e-3 (the known bugs are 1e-1 or larger).
 */
class SameDiffGradientFactsTest {
    private static final double H = 1e-6;

    record Fact(String name, long[] shape, boolean positive, BiFunction<SameDiff, SDVariable, SDVariable> op,
                boolean correct) {
        @Override
        public String toString() {
            return name + (correct ? "" : " (known wrong)");
        }
    }

    static Fact ok(String name, BiFunction<SameDiff, SDVariable, SDVariable> op) {
        return new Fact(name, new long[] {3, 4}, false, op, true);
    }

    static Fact okPositive(String name, BiFunction<SameDiff, SDVariable, SDVariable> op) {
        return new Fact(name, new long[] {3, 4}, true, op, true);
    }

    static Stream<Fact> facts() {
        return Stream.of(
                ok("mmul", (sd, x) -> x.mmul(sd.constant(Nd4j.rand(DataType.DOUBLE, 4, 2)))),
                ok("mmul transposeA", (sd, x) -> sd.mmul(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 3, 2)), true, false, false)),
                ok("mmul transposeB", (sd, x) -> sd.mmul(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 2, 4)), false, true, false)),
                ok("add broadcast", (sd, x) -> x.add(sd.constant(Nd4j.rand(DataType.DOUBLE, 4)))),
                ok("mul broadcast", (sd, x) -> x.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 1, 4)))),
                okPositive("div broadcast", (sd, x) -> sd.constant(Nd4j.rand(DataType.DOUBLE, 4)).div(x)),
                ok("rsub scalar", (sd, x) -> x.rsub(1.0)),
                okPositive("rdiv scalar", (sd, x) -> x.rdiv(2.0)),
                ok("biasAdd", (sd, x) -> sd.nn.biasAdd(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 4)), true)),
                ok("neg", (sd, x) -> x.neg()),
                ok("square", (sd, x) -> sd.math.square(x)),
                okPositive("sqrt", (sd, x) -> sd.math.sqrt(x)),
                okPositive("rsqrt", (sd, x) -> sd.math.rsqrt(x)),
                okPositive("pow 2.5", (sd, x) -> sd.math.pow(x, 2.5)),
                ok("exp", (sd, x) -> sd.math.exp(x)),
                okPositive("log", (sd, x) -> sd.math.log(x)),
                okPositive("log1p", (sd, x) -> sd.math.log1p(x)),
                ok("abs", (sd, x) -> sd.math.abs(x)),
                okPositive("reciprocal", (sd, x) -> sd.math.reciprocal(x)),
                ok("tanh", (sd, x) -> sd.nn.tanh(x)),
                ok("sigmoid", (sd, x) -> sd.nn.sigmoid(x)),
                ok("softplus", (sd, x) -> sd.nn.softplus(x)),
                ok("relu", (sd, x) -> sd.nn.relu(x, 0.0)),
                ok("elu", (sd, x) -> sd.nn.elu(x)),
                ok("selu", (sd, x) -> sd.nn.selu(x)),
                ok("swish", (sd, x) -> sd.nn.swish(x)),
                ok("gelu", (sd, x) -> sd.nn.gelu(x)),
                ok("sin", (sd, x) -> sd.math.sin(x)),
                ok("cos", (sd, x) -> sd.math.cos(x)),
                ok("step times x", (sd, x) -> sd.math.step(x, 0.0).mul(x)),
                ok("sign times x", (sd, x) -> sd.math.sign(x).mul(x)),
                ok("eq mask times x", (sd, x) -> x.eq(sd.max(x, true, 1)).castTo(DataType.DOUBLE).mul(x)),
                ok("zerosLike plus x", (sd, x) -> sd.zerosLike(x).add(x)),
                ok("onesLike times x", (sd, x) -> sd.onesLike(x).mul(x)),
                ok("sum dim 1", (sd, x) -> sd.sum(x, false, 1)),
                ok("sum keepDims", (sd, x) -> sd.sum(x, true, 1)),
                ok("mean dim 0", (sd, x) -> sd.mean(x, false, 0)),
                ok("max dim 1", (sd, x) -> sd.max(x, false, 1)),
                ok("reshape", (sd, x) -> sd.reshape(x, 2, 6)),
                ok("permute", (sd, x) -> sd.permute(x, 1, 0)),
                ok("transpose", (sd, x) -> sd.transpose(x)),
                ok("concat", (sd, x) -> sd.concat(1, x, sd.math.square(x))),
                ok("stack", (sd, x) -> sd.stack(0, x, sd.math.square(x))),
                ok("unstack", (sd, x) -> sd.math.square(sd.unstack(x, 1, 4)[1])),
                ok("slice", (sd, x) -> sd.slice(x, new int[] {1, 0}, new int[] {2, 3})),
                ok("expandDims", (sd, x) -> sd.expandDims(x, 1)),
                ok("squeeze", (sd, x) -> sd.squeeze(sd.expandDims(x, 1), 1)),
                ok("tile", (sd, x) -> sd.tile(x, 2, 1)),
                ok("pad", (sd, x) -> sd.nn.pad(x, sd.constant(Nd4j.createFromArray(new int[][] {{1, 0}, {0, 2}})), 0.0)),
                ok("identity", (sd, x) -> sd.identity(x)),
                ok("reciprocal times broadcast", (sd, x) -> sd.constant(Nd4j.rand(DataType.DOUBLE, 4)).mul(sd.math.reciprocal(x))),
                // the form ssm4j's Reductions gives a sum over the batch at batch size 1: a rank-3 view
                new Fact("sum over a batch of one, rank-3 view", new long[] {1, 4}, false,
                        (sd, x) -> sd.reshape(sd.sum(sd.expandDims(x, 2), false, 0), 4), true),
                new Fact("squeeze [N, 1] to [N]", new long[] {3, 1}, false, (sd, x) -> sd.squeeze(x, 1), true),
                // a/b and b/a with a one-element b ([1] or [1, 1]) broadcast over a: the gradient with respect
                // to b is wrong (2–14× too large or small, measured); ssm4j's rules multiply by 1/b instead
                new Fact("divide by a broadcast one-element operand", new long[] {1}, true,
                        (sd, x) -> sd.constant(Nd4j.rand(DataType.DOUBLE, 3, 4).addi(0.5)).div(x), false),
                new Fact("reversedivide, one-element second operand", new long[] {1, 1}, true,
                        (sd, x) -> sd.constant(Nd4j.rand(DataType.DOUBLE, 3, 4).addi(0.5)).rdiv(x), false),
                new Fact("divide by a one-element operand of rank 3 (correct)", new long[] {1, 1, 1}, true,
                        (sd, x) -> sd.constant(Nd4j.rand(DataType.DOUBLE, 2, 3, 4).addi(0.5)).div(x), true),
                // mmul with a [1, 1] result: wrong with one operand transposed (inner products of two columns
                // or two rows), failing for [1, 1]·[1, 1]; ssm4j's rules form such products by multiply + sum
                new Fact("mmul transposeA, columns to [1, 1]", new long[] {4, 1}, false,
                        (sd, x) -> sd.mmul(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 4, 1)), true, false, false), false),
                new Fact("mmul transposeB, rows to [1, 1]", new long[] {1, 4}, false,
                        (sd, x) -> sd.mmul(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 1, 4)), false, true, false), false),
                new Fact("mmul [1, 1] by [1, 1] (fails)", new long[] {1, 1}, false,
                        (sd, x) -> sd.mmul(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 1, 1))), false),
                new Fact("mmul row by column to [1, 1] (correct)", new long[] {1, 4}, false,
                        (sd, x) -> x.mmul(sd.constant(Nd4j.rand(DataType.DOUBLE, 4, 1))), true),
                // batched_gemm: its gradient throws (NullPointerException in BatchMmul.doDiff; with several
                // non-square pairs it crashes the JVM, so that is not run). Its forward is wrong too: below.
                new Fact("batchMmul (gradient throws)", new long[] {2, 2}, false,
                        (sd, x) -> sd.batchMmul(new SDVariable[] {x},
                                new SDVariable[] {sd.constant(Nd4j.rand(DataType.DOUBLE, 2, 2))}, false, false)[0], false),
                new Fact("product as multiply and sum, [1, 1] result", new long[] {4, 1}, false,
                        (sd, x) -> sd.sum(sd.reshape(x, 1, 4, 1).mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 1, 4, 1))),
                                false, 1), true),
                // 0.2 is held as a float in leakyrelu_bp but as a double in the forward op: ~1.5e-8 relative
                new Fact("leakyRelu (float alpha in backprop)", new long[] {3, 4}, false,
                        (sd, x) -> sd.nn.leakyRelu(x, 0.25), true),
                new Fact("variance", new long[] {3, 4}, false, (sd, x) -> sd.variance(x, false, 1), false));
    }

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("facts")
    void sameDiffGradientAgreesWithFiniteDifferences(Fact fact) {
        Nd4j.getRandom().setSeed(fact.name().hashCode());
        Random random = new Random(fact.name().hashCode());
        INDArray x0 = Nd4j.create(DataType.DOUBLE, fact.shape());
        for (long i = 0; i < x0.length(); i++) {
            double a = 0.2 + random.nextDouble();     // |x| ≥ 0.2 keeps kinks (relu, abs, step) out of reach of h
            x0.putScalar(i, fact.positive() || random.nextBoolean() ? a : -a);
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0.dup());
        SDVariable y = fact.op().apply(sd, x);
        SDVariable loss = sd.sum(y.mul(y));
        sd.setLossVariables(loss);
        INDArray grad;
        try {
            grad = QuietSameDiff.call(() -> sd.calculateGradients(Map.of(), "x")).get("x");
        } catch (RuntimeException e) {
            if (fact.correct()) {
                throw e;
            }
            return;     // known broken: SameDiff cannot compute it at all
        }
        INDArray fd = Nd4j.create(DataType.DOUBLE, fact.shape());
        for (long i = 0; i < x0.length(); i++) {
            INDArray arr = x.getArr();
            double v = arr.getDouble(i);
            arr.putScalar(i, v + H);
            double plus = loss.eval().getDouble(0);
            arr.putScalar(i, v - H);
            double minus = loss.eval().getDouble(0);
            arr.putScalar(i, v);
            fd.putScalar(i, (plus - minus) / (2 * H));
        }
        double rel = grad.sub(fd).norm2Number().doubleValue() / Math.max(1e-12, fd.norm2Number().doubleValue());
        if (fact.correct()) {
            assertTrue(rel < 1e-6, fact + ": SameDiff gradient relative error " + rel);
        } else {
            assertTrue(rel > 1e-3, fact + ": SameDiff gradient now agrees with finite differences (relative error "
                    + rel + "); ND4J fixed it — update docs and rules that avoid this op");
        }
    }

    /**
     * sd.batchMmul's forward (not its gradient) is wrong in 1.0.0-M2.1: it reads the row-major matrices as
     * column-major, so for square matrices it returns Bᵢ·Aᵢ instead of Aᵢ·Bᵢ (other shapes: wrong values,
     * validation failures or a JVM crash). ssm4j declares it unsupported; when this fails, revisit
     * LinearAlgebraRules.BATCHED_GEMM.
     */
    @org.junit.jupiter.api.Test
    void batchMmulComputesTheProductInReverseOrder() {
        Nd4j.getRandom().setSeed(3);
        INDArray[] a = {Nd4j.rand(DataType.DOUBLE, 2, 2), Nd4j.rand(DataType.DOUBLE, 2, 2)};
        INDArray[] b = {Nd4j.rand(DataType.DOUBLE, 2, 2), Nd4j.rand(DataType.DOUBLE, 2, 2)};
        SameDiff sd = SameDiff.create();
        SDVariable[] c = sd.batchMmul(new SDVariable[] {sd.constant(a[0]), sd.constant(a[1])},
                new SDVariable[] {sd.constant(b[0]), sd.constant(b[1])}, false, false);
        Map<String, INDArray> out = sd.output(Map.of(), c[0].name(), c[1].name());
        for (int i = 0; i < 2; i++) {
            INDArray got = out.get(c[i].name());
            assertTrue(b[i].mmul(a[i]).equalsWithEps(got, 1e-12) && !a[i].mmul(b[i]).equalsWithEps(got, 1e-6),
                    "batchMmul pair " + i + " now computes " + got + "; A·B = " + a[i].mmul(b[i]));
        }
    }
}
