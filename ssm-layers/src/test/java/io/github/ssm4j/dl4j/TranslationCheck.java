package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.autodiff.Jvp;
import io.github.ssm4j.util.QuietSameDiff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checks one DL4J network against its translation, in float64:
 * <ol>
 *   <li>outputs: the graph's output equals {@code net.output(x, false)} — and, for networks without
 *       train-time randomness or batch statistics, {@code net.output(x, true)} — within 1e-10 relative,
 *       at batch sizes 1 and 3;</li>
 *   <li>differentiability: {@code Jvp.of(output, input, t)} builds (so every emitted op has a derivative
 *       rule) and equals central differences of the translated output;</li>
 *   <li>trainability: SameDiff's gradient of ⟨r, output⟩ with respect to every bound variable equals
 *       central differences along a random direction of all of them (at most 50 nonzero entries per
 *       parameter tensor, so that large networks do not cross too many relu kinks).</li>
 * </ol>
 * Central differences with step h have truncation error O(h²) and rounding error O(ε/h); with h = 1e-6
 * both are below 1e-8 relative for these O(1) networks, and 1e-6 relative still catches any wrong rule.
 * The step is small so that it rarely crosses a relu kink.
 */
final class TranslationCheck {
    static final double OUTPUT_TOL = 1e-10;
    static final double FD_TOL = 1e-6;
    static final double H = 1e-6;

    /** The DL4J network under test, as a function of its inputs and training flag. */
    interface Reference {
        INDArray[] output(INDArray[] inputs, boolean train);
    }

    private final String name;
    private final Reference reference;
    private final Supplier<TranslatedNetwork> translation;
    private boolean trainModeToo = true;
    private final double fdTolerance = FD_TOL;
    private int[] derivativeBatches = {1, 2};
    private java.util.function.Predicate<String> perturbed = v -> true;
    private final Random random;

    private TranslationCheck(String name, Reference reference, Supplier<TranslatedNetwork> translation) {
        this.name = name;
        this.reference = reference;
        this.translation = translation;
        this.random = new Random(name.hashCode());
    }

    static TranslationCheck of(String name, MultiLayerNetwork net, Supplier<TranslatedNetwork> translation) {
        return new TranslationCheck(name, (x, train) -> new INDArray[] {net.output(x[0], train)}, translation);
    }

    static TranslationCheck of(String name, ComputationGraph net, Supplier<TranslatedNetwork> translation) {
        return new TranslationCheck(name, (x, train) -> net.output(train, x), translation);
    }

    /** For networks whose training-mode output differs by design (dropout, batch statistics). */
    TranslationCheck inferenceOnly() {
        trainModeToo = false;
        return this;
    }

    /**
     * Restricts the finite-difference direction to these variables. In a deep relu network every weight
     * moves every pre-activation downstream of it, and among millions of units some lie within the step
     * of a kink, which biases central differences by O(1) without showing in a comparison of steps h and
     * h/2 (a kink at distance δ ≪ h biases both alike); measured on UNet: 7e-4 absolute error along all
     * tensors at once, ≤ 9e-7 along each tensor alone. Such networks check the rest against DL4J's own
     * backprop instead.
     */
    TranslationCheck perturbOnly(java.util.function.Predicate<String> variables) {
        perturbed = variables;
        return this;
    }

    /** Batch sizes at which JVPs and parameter gradients are checked (1 and 2 unless told). */
    TranslationCheck derivativesAtBatch(int... sizes) {
        derivativeBatches = sizes.clone();
        return this;
    }

    void verify() {
        TranslatedNetwork g = translation.get();
        for (int batch : new int[] {1, 3}) {
            checkOutputs(g, inputs(g, batch));
        }
        for (int batch : derivativeBatches) {
            checkJvp(translation.get(), inputs(g, batch));
            checkParameterGradients(translation.get(), inputs(g, batch));
        }
    }

    void checkOutputs(TranslatedNetwork g, INDArray[] x) {
        INDArray[] translated = evaluate(g, x);
        INDArray[] expected = reference.output(dup(x), false);
        assertEquals(expected.length, translated.length, name + ": number of outputs");
        for (int i = 0; i < expected.length; i++) {
            assertClose("output " + i + " vs net.output(x, false) at batch " + x[0].size(0), expected[i],
                    translated[i], OUTPUT_TOL);
            if (trainModeToo) {
                assertClose("output " + i + " vs net.output(x, true) at batch " + x[0].size(0),
                        reference.output(dup(x), true)[i], translated[i], OUTPUT_TOL);
            }
        }
    }

    void checkJvp(TranslatedNetwork g, INDArray[] x) {
        SameDiff sd = g.sameDiff();
        for (int i = 0; i < g.inputs().size(); i++) {
            SDVariable in = g.inputs().get(i);
            SDVariable t = sd.placeHolder("jvp_tangent_" + i, in.dataType(), in.placeholderShape());
            List<String> jvps = new ArrayList<>();
            for (SDVariable out : g.outputs()) {
                jvps.add(dependsOn(out, in) ? Jvp.of(out, in, t).name() : null);
            }
            INDArray tangent = normal(x[i].shape());
            Map<String, INDArray> feed = feed(g, x);
            feed.put(t.name(), tangent);
            Map<String, INDArray> analytic = sd.output(feed, jvps.stream().filter(n -> n != null)
                    .toArray(String[]::new));
            INDArray[] plus = evaluate(g, shifted(x, i, tangent, H));
            INDArray[] minus = evaluate(g, shifted(x, i, tangent, -H));
            for (int o = 0; o < jvps.size(); o++) {
                INDArray fd = plus[o].sub(minus[o]).divi(2 * H);
                INDArray jvp = jvps.get(o) == null ? fd.mul(0.0) : analytic.get(jvps.get(o));
                assertClose("JVP of output " + o + " w.r.t. input " + i + " vs central differences", fd, jvp,
                        fdTolerance);
            }
        }
    }

    private static boolean dependsOn(SDVariable out, SDVariable in) {
        return io.github.ssm4j.autodiff.internal.GraphPath.between(out.getSameDiff(), List.of(in.name()),
                List.of(out.name())).dependsOnInputs(out.name());
    }

    void checkParameterGradients(TranslatedNetwork g, INDArray[] x) {
        SameDiff sd = g.sameDiff();
        List<String> vars = new ArrayList<>();
        for (ParameterBinding b : g.bindings()) {
            assertEquals(VariableType.VARIABLE, sd.getVariable(b.variable()).getVariableType(), name);
            vars.add(b.variable());
        }
        if (vars.isEmpty()) {
            return;
        }
        SDVariable loss = null;
        List<INDArray> weights = new ArrayList<>();
        for (int o = 0; o < g.outputs().size(); o++) {
            INDArray r = normal(evaluate(g, x)[o].shape());
            weights.add(r);
            SDVariable term = sd.sum(g.outputs().get(o).mul(sd.constant("check_r" + o, r)));
            loss = loss == null ? term : loss.add(term);
        }
        sd.setLossVariables(loss);
        Map<String, INDArray> feed = feed(g, x);
        Map<String, INDArray> grads = QuietSameDiff.call(() -> sd.calculateGradients(feed, vars));
        String tried = "";
        for (int attempt = 0; attempt < 4; attempt++) {
            double analytic = 0;
            Map<String, INDArray> directions = new HashMap<>();
            for (String v : vars) {
                if (!perturbed.test(v)) {
                    continue;
                }
                INDArray d = sparseNormal(sd.getArrForVarName(v).shape());
                directions.put(v, d);
                analytic += grads.get(v).mul(d).sumNumber().doubleValue();
            }
            double fd = centralDifference(sd, loss, feed, directions, H);
            double fdHalf = centralDifference(sd, loss, feed, directions, H / 2);
            if (Math.abs(fd - fdHalf) <= fdTolerance * (1 + Math.abs(fdHalf))) {
                assertClose("SameDiff parameter gradient vs central differences", Nd4j.scalar(fdHalf),
                        Nd4j.scalar(analytic), fdTolerance);
                return;
            }
            tried += " " + fd + " (h) vs " + fdHalf + " (h/2);";
        }
        throw new AssertionError(name + ": the loss is not smooth at the finite-difference scale along any of 4 "
                + "random parameter directions (relu kinks crossed):" + tried);
    }

    /**
     * Central differences along {@code directions}. Differences at h and h/2 agree to O(h²) where the
     * loss is smooth; where they do not, the step crossed a relu kink or a max-pooling switch, and the
     * direction is redrawn rather than the tolerance loosened.
     */
    private static double centralDifference(SameDiff sd, SDVariable loss, Map<String, INDArray> feed,
                                            Map<String, INDArray> directions, double h) {
        return (lossAt(sd, loss, feed, directions, h) - lossAt(sd, loss, feed, directions, -h)) / (2 * h);
    }

    private static double lossAt(SameDiff sd, SDVariable loss, Map<String, INDArray> feed,
                                 Map<String, INDArray> directions, double h) {
        Map<String, INDArray> saved = new HashMap<>();
        directions.forEach((v, d) -> {
            INDArray arr = sd.getArrForVarName(v);
            saved.put(v, arr.dup());
            arr.addi(d.mul(h));
        });
        double l = sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
        saved.forEach((v, a) -> sd.getArrForVarName(v).assign(a));
        return l;
    }

    INDArray[] inputs(TranslatedNetwork g, int batch) {
        INDArray[] x = new INDArray[g.inputs().size()];
        for (int i = 0; i < x.length; i++) {
            long[] shape = g.inputs().get(i).placeholderShape().clone();
            shape[0] = batch;
            x[i] = normal(shape);
        }
        return x;
    }

    static INDArray[] evaluate(TranslatedNetwork g, INDArray[] x) {
        List<String> names = new ArrayList<>();
        g.outputs().forEach(o -> names.add(o.name()));
        Map<String, INDArray> out = g.sameDiff().output(feed(g, x), names.toArray(new String[0]));
        INDArray[] r = new INDArray[names.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(names.get(i));
        }
        return r;
    }

    private static Map<String, INDArray> feed(TranslatedNetwork g, INDArray[] x) {
        Map<String, INDArray> m = new HashMap<>();
        for (int i = 0; i < x.length; i++) {
            m.put(g.inputs().get(i).name(), x[i]);
        }
        return m;
    }

    private static INDArray[] shifted(INDArray[] x, int i, INDArray d, double h) {
        INDArray[] r = dup(x);
        r[i].addi(d.mul(h));
        return r;
    }

    private static INDArray[] dup(INDArray[] x) {
        INDArray[] r = new INDArray[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i].dup();
        }
        return r;
    }

    /** A direction with at most 50 standard normal entries, at random positions, the rest zero. */
    private INDArray sparseNormal(long[] shape) {
        INDArray d = Nd4j.zeros(DataType.DOUBLE, shape);
        if (d.length() <= 50) {
            return normal(shape);
        }
        for (int k = 0; k < 50; k++) {
            d.putScalar(random.nextInt(Math.toIntExact(d.length())), random.nextGaussian());
        }
        return d;
    }

    INDArray normal(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int k = 0; k < v.length; k++) {
            v[k] = random.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    void assertClose(String what, INDArray expected, INDArray actual, double tol) {
        assertTrue(Arrays.equals(expected.shape(), actual.shape()), () -> name + ": " + what + ": shape "
                + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        assertEquals(DataType.DOUBLE, actual.dataType(), name + ": " + what + ": dtype");
        INDArray diff = Transforms.abs(expected.sub(actual), false);
        INDArray bound = Transforms.abs(expected, true).addi(1.0).muli(tol);
        double maxDiff = diff.maxNumber().doubleValue();
        double worst = diff.subi(bound).maxNumber().doubleValue();
        assertTrue(worst <= 0, () -> name + ": " + what + " differ beyond " + tol + " relative (max |diff| "
                + maxDiff + ")");
    }
}
