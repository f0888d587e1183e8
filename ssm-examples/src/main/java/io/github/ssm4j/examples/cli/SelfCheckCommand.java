package io.github.ssm4j.examples.cli;

import io.github.ssm4j.autodiff.Hvp;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ImplicitScoreMatching;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.SlicedScoreMatching;
import io.github.ssm4j.util.QuietSameDiff;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;

/**
 * Checks the installation end to end against closed forms (docs/score-matching.md): SSM and SSM-VR of
 * s(x) = x², ISM, the score and Hessian of E = ½‖x‖², and a weight gradient of
 * vᵀ(∂s/∂x)v through SameDiff's backprop against finite differences.
 */
@Command(name = "selfcheck", mixinStandardHelpOptions = true,
        description = "Check JVP/VJP/HVP on this machine against closed forms and finite differences.")
final class SelfCheckCommand implements Callable<Integer> {
    private int failures;

    @Override
    public Integer call() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        System.out.println("ssm4j self-check on " + Nd4j.getBackend().getClass().getSimpleName()
                + " (float64)");
        objectivesOnClosedForms();
        energyOfHalfSquaredNorm();
        weightGradientOfQuadraticForm();
        System.out.println(failures == 0 ? "All checks passed." : failures + " check(s) FAILED.");
        return failures == 0 ? 0 : 1;
    }

    /** s(x) = x² at x = (2, 7), v = (1, 1): SSM = 1422.5, SSM-VR = 1226.5; E = ½‖x‖² has ISM ½‖x‖² − D. */
    private void objectivesOnClosedForms() {
        INDArray x = Nd4j.createFromArray(new double[][] {{2, 7}});
        RandomDraws ones = RandomDraws.ofProjections(Nd4j.createFromArray(new double[][][] {{{1, 1}}}));
        double ssm = SlicedScoreMatching.standard(Projection.RADEMACHER).attach(square()).evaluate(x, ones).loss();
        double vr = SlicedScoreMatching.varianceReduced(Projection.RADEMACHER).attach(square()).evaluate(x, ones).loss();
        report("SSM    of s(x)=x² at (2,7), v=(1,1)", 1422.5, ssm, 1e-12);
        report("SSM-VR of s(x)=x² at (2,7), v=(1,1)", 1226.5, vr, 1e-12);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        ScoreFunction energy = ScoreFunction.ofEnergy(in, sd.sum(in.mul(in), false, 1).mul(0.5));
        double ism = ImplicitScoreMatching.exact().attach(energy).evaluate(x, RandomDraws.none()).loss();
        report("ISM    of E=½‖x‖² at (2,7): ½‖x‖² − D", 0.5 * 53 - 2, ism, 1e-12);
    }

    private static ScoreFunction square() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        return ScoreFunction.ofScore(x, sd.math.square(x));
    }

    /** E = ½‖x‖²: s = −∇E = −x and ∇²E·v = v. */
    private void energyOfHalfSquaredNorm() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable v = sd.placeHolder("v", DataType.DOUBLE, -1, 3);
        SDVariable energy = sd.sum(x.mul(x), false, 1).mul(0.5);
        SDVariable score = Hvp.energyScore(energy, x);
        SDVariable hv = Hvp.energyHessianVector(energy, x, v);
        INDArray xv = Nd4j.createFromArray(new double[][] {{1, -2, 3}, {0.5, 0.25, -1}});
        INDArray vv = Nd4j.createFromArray(new double[][] {{0.3, 1, -1}, {2, 0, 1}});
        Map<String, INDArray> out = sd.output(Map.of("x", xv, "v", vv), score.name(), hv.name());
        report("max |s + x|   for E = ½‖x‖²", 0, out.get(score.name()).add(xv).amaxNumber().doubleValue(), 1e-12);
        report("max |∇²E·v − v| for E = ½‖x‖²", 0, out.get(hv.name()).sub(vv).amaxNumber().doubleValue(), 1e-12);
    }

    /** d/dW of Σ vᵀ(∂s/∂x)v for s = tanh(xW)·Wᵀ, by SameDiff backprop through the JVP, vs central differences. */
    private void weightGradientOfQuadraticForm() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable v = sd.placeHolder("v", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5));
        SDVariable s = sd.nn.tanh(x.mmul(w)).mmul(sd.transpose(w));
        SDVariable loss = sd.sum(Hvp.quadraticForm(s, x, v));
        sd.setLossVariables(loss);
        Map<String, INDArray> feed = Map.of("x", Nd4j.rand(DataType.DOUBLE, 5, 3), "v", Nd4j.randn(DataType.DOUBLE, 5, 3));
        double analytic = QuietSameDiff.call(() -> sd.calculateGradients(feed, "w")).get("w").getDouble(1, 2);
        INDArray wArr = w.getArr();
        double h = 1e-6;
        double w0 = wArr.getDouble(1, 2);
        wArr.putScalar(1, 2, w0 + h);
        double plus = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
        wArr.putScalar(1, 2, w0 - h);
        double minus = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
        wArr.putScalar(1, 2, w0);
        double fd = (plus - minus) / (2 * h);
        // central differences with h = 1e-6 are accurate to ~1e-9 here; 1e-6 relative leaves ample margin
        report("d/dW Σ vᵀ(∂s/∂x)v: backprop vs finite differences", fd, analytic, 1e-6 * Math.max(1, Math.abs(fd)));
    }

    private void report(String what, double expected, double actual, double tol) {
        boolean ok = Math.abs(expected - actual) <= tol;
        failures += ok ? 0 : 1;
        System.out.printf("  %-55s expected %-14.10g got %-14.10g %s%n", what, expected, actual, ok ? "ok" : "FAIL");
    }
}
