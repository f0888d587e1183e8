package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Whole networks: Jacobians from D JVPs, from D VJPs and from finite differences agree; HVPs match
 * finite differences of the gradient and are symmetric; derivatives reach the weights.
 * Tolerances as in {@link GraphCheck} (float64, central differences with h = 1e-5).
 */
class CompositeGraphTest {
    private static final int D = 4;
    private static final int N = 3;

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(7);
    }

    /** Score MLP D → 6 (tanh) → 5 (softplus) → 6 (relu) → D, with fixed random weights. */
    static SDVariable mlp(SameDiff sd, SDVariable x) {
        SDVariable h = sd.nn.tanh(dense(sd, "l1", x, D, 6));
        h = sd.nn.softplus(dense(sd, "l2", h, 6, 5));
        h = sd.nn.relu(dense(sd, "l3", h, 5, 6), 0.0);
        return dense(sd, "l4", h, 6, D);
    }

    /**
     * Residual block with a layer normalisation written from means: x + W₂·gelu(norm(W₁x)). (Not with
     * sd.variance: SameDiff's backprop through that op is wrong, so the weights would get wrong gradients.)
     */
    static SDVariable residual(SameDiff sd, SDVariable x) {
        SDVariable h = dense(sd, "r1", x, D, 5);
        SDVariable centred = h.sub(sd.mean(h, true, 1));
        SDVariable variance = sd.mean(centred.mul(centred), true, 1);
        SDVariable norm = centred.mul(sd.math.rsqrt(variance.add(1e-3)));
        return x.add(dense(sd, "r2", sd.nn.gelu(norm), 5, D));
    }

    private static SDVariable dense(SameDiff sd, String name, SDVariable in, int nIn, int nOut) {
        SDVariable w = sd.var(name + "_W", Nd4j.randn(DataType.DOUBLE, nIn, nOut).muli(0.7));
        SDVariable b = sd.var(name + "_b", Nd4j.randn(DataType.DOUBLE, nOut).muli(0.1));
        return in.mmul(w).add(b);
    }

    @Test
    void mlpPassesEveryRuleCheck() {
        GraphCheck.of("mlp", (sd, x) -> mlp(sd, x[0])).batched(N, D).verify();
    }

    @Test
    void residualBlockPassesEveryRuleCheck() {
        GraphCheck.of("residual", (sd, x) -> residual(sd, x[0])).batched(N, D).verify();
    }

    @Test
    void jacobianFromJvpsEqualsJacobianFromVjpsAndFiniteDifferences() {
        for (boolean res : new boolean[] {false, true}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, D);
            SDVariable e = sd.placeHolder("e", DataType.DOUBLE, -1, D);
            SDVariable y = res ? residual(sd, x) : mlp(sd, x);
            SDVariable jvp = Jvp.of(y, x, e);
            SDVariable vjp = Vjp.of(y, x, e);
            INDArray xv = Nd4j.randn(DataType.DOUBLE, N, D);
            INDArray byJvp = Nd4j.create(DataType.DOUBLE, N, D, D);   // [n, i, j] = ∂yᵢ/∂xⱼ
            INDArray byVjp = Nd4j.create(DataType.DOUBLE, N, D, D);
            INDArray byFd = Nd4j.create(DataType.DOUBLE, N, D, D);
            double h = 1e-5;
            for (int k = 0; k < D; k++) {
                INDArray basis = Nd4j.zeros(DataType.DOUBLE, N, D);
                basis.getColumn(k).assign(1.0);
                Map<String, INDArray> out = sd.output(Map.of("x", xv, "e", basis), jvp.name(), vjp.name());
                byJvp.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k)).assign(out.get(jvp.name()));
                byVjp.get(NDArrayIndex.all(), NDArrayIndex.point(k), NDArrayIndex.all()).assign(out.get(vjp.name()));
                INDArray plus = sd.output(Map.of("x", xv.add(basis.mul(h))), y.name()).get(y.name());
                INDArray minus = sd.output(Map.of("x", xv.sub(basis.mul(h))), y.name()).get(y.name());
                byFd.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(k)).assign(plus.sub(minus).divi(2 * h));
            }
            assertTrue(byJvp.equalsWithEps(byVjp, 1e-12), "JVP vs VJP Jacobian\n" + byJvp + "\n" + byVjp);
            assertTrue(byJvp.equalsWithEps(byFd, 1e-6), "JVP vs FD Jacobian\n" + byJvp + "\n" + byFd);
        }
    }

    /**
     * Energy E(x) = Σ softplus(mlp(x)) per example, shape [N], or a dense layer on it, shape [N, 1]; its
     * Hessian is symmetric and matches FD of ∇E, at batch size N and 1.
     */
    @ParameterizedTest(name = "batch size {0}, energy [N, 1]: {1}")
    @CsvSource({"3, false", "1, false", "3, true", "1, true"})
    void energyHessianVectorProductsAreSymmetricAndMatchFiniteDifferences(int batch, boolean column) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, D);
        SDVariable u = sd.placeHolder("u", DataType.DOUBLE, -1, D);
        SDVariable v = sd.placeHolder("v", DataType.DOUBLE, -1, D);
        SDVariable energy = column ? dense(sd, "e", sd.nn.softplus(mlp(sd, x)), D, 1)
                : sd.sum(sd.nn.softplus(mlp(sd, x)), false, 1);
        SDVariable score = Hvp.energyScore(energy, x);
        SDVariable hv = Hvp.energyHessianVector(energy, x, v);
        SDVariable hu = Hvp.energyHessianVector(energy, x, u);
        SDVariable uHv = sd.sum(u.mul(hv), false, 1);
        SDVariable vHu = sd.sum(v.mul(hu), false, 1);
        INDArray xv = Nd4j.randn(DataType.DOUBLE, batch, D);
        INDArray uv = Nd4j.randn(DataType.DOUBLE, batch, D);
        INDArray vv = Nd4j.randn(DataType.DOUBLE, batch, D);
        Map<String, INDArray> feed = new HashMap<>(Map.of("x", xv, "u", uv, "v", vv));
        Map<String, INDArray> out = sd.output(feed, uHv.name(), vHu.name(), hv.name());
        assertTrue(out.get(uHv.name()).equalsWithEps(out.get(vHu.name()), 1e-12), "uᵀHv ≠ vᵀHu");
        double h = 1e-5;
        INDArray plus = sd.output(Map.of("x", xv.add(vv.mul(h))), score.name()).get(score.name());
        INDArray minus = sd.output(Map.of("x", xv.sub(vv.mul(h))), score.name()).get(score.name());
        INDArray fdHv = plus.sub(minus).divi(2 * h).negi();      // s = −∇E, so H·v = −ds
        assertTrue(out.get(hv.name()).equalsWithEps(fdHv, 1e-6), "HVP vs FD\n" + out.get(hv.name()) + "\n" + fdHv);
    }

    /**
     * SameDiff's gradient w.r.t. a weight of Σ vᵀJv (score net) and of Σ vᵀHv (energy) vs FD in that
     * weight, at batch size N and 1 (training on one example: every bias cotangent is then a sum over a
     * batch of one, which a plain ND4J reduction cannot do).
     */
    @ParameterizedTest(name = "batch size {0}")
    @ValueSource(ints = {N, 1})
    void derivativesReachTheWeights(int batch) {
        for (boolean energyModel : new boolean[] {false, true}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, D);
            SDVariable v = sd.placeHolder("v", DataType.DOUBLE, -1, D);
            SDVariable loss;
            if (energyModel) {
                SDVariable energy = sd.sum(sd.nn.softplus(mlp(sd, x)), false, 1);
                loss = sd.sum(v.mul(Hvp.energyHessianVector(energy, x, v)));
            } else {
                loss = sd.sum(Hvp.quadraticForm(mlp(sd, x), x, v));
            }
            sd.setLossVariables(loss);
            Map<String, INDArray> feed = Map.of("x", Nd4j.randn(DataType.DOUBLE, batch, D),
                    "v", Nd4j.randn(DataType.DOUBLE, batch, D));
            Map<String, INDArray> grads = io.github.ssm4j.util.QuietSameDiff.call(
                    () -> sd.calculateGradients(feed, "l1_W", "l2_b", "l4_W"));
            for (String w : new String[] {"l1_W", "l2_b", "l4_W"}) {
                INDArray arr = sd.getVariable(w).getArr();
                long idx = arr.length() / 2;
                double w0 = arr.getDouble(idx);
                double h = 1e-5;
                arr.putScalar(idx, w0 + h);
                double plus = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
                arr.putScalar(idx, w0 - h);
                double minus = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
                arr.putScalar(idx, w0);
                double fd = (plus - minus) / (2 * h);
                double analytic = grads.get(w).getDouble(idx);
                assertEquals(fd, analytic, 1e-6 * Math.max(1, Math.abs(fd)),
                        (energyModel ? "energy" : "score") + " model, weight " + w);
            }
        }
    }
}
