package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.autodiff.internal.ForwardTransformer;
import io.github.ssm4j.autodiff.internal.GraphPath;
import io.github.ssm4j.autodiff.internal.ReverseTransformer;
import io.github.ssm4j.util.QuietSameDiff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks the derivative transformations of one graph {@code y = f(x₀, x₁, …)} against independent
 * computations, all in float64:
 * <ol>
 *   <li>JVP against central finite differences of f;</li>
 *   <li>VJP against SameDiff's own first-order gradient, and against the JVP by the dot-product identity
 *       ⟨u, J t⟩ = ⟨Jᵀu, t⟩;</li>
 *   <li>order 2: the JVP of the VJP against finite differences of the VJP;</li>
 *   <li>closure: SameDiff's gradient of ⟨r, JVP⟩ and of ⟨r, VJP⟩ with respect to x against finite
 *       differences (so every emitted op has a correct SameDiff gradient).</li>
 * </ol>
 * Every check runs twice when an input has a batch dimension: at the row's shapes, then with every
 * batch dimension set to 1 (ND4J 1.0.0-M2.1 fails on some reductions over size-1 dimensions, and
 * nothing the engine emits may).
 *
 * <p>Shapes may hold symbolic sizes, drawn per row from a fixed seed ({@link #DEFAULT_SEED}, or
 * {@code -Dssm4j.test.seed=…}; every failure message names it): {@link #N} for the batch, {@link #A},
 * {@link #B}, {@link #C} for sizes that may be 1 (so broadcasting against size 1 is exercised), and
 * {@link #P}, {@link #Q} for sizes of at least 2. The same letter is the same size within a row.
 *
 * <p>Tolerances: central differences with step h = 1e-5 have truncation error h²·|f‴|/6 ≈ 1e-10 and
 * rounding error ε·|f|/h ≈ 1e-11 relative, for the smooth, O(1)-scaled functions used here; we accept
 * 1e-6 relative, which still catches any wrong rule (errors there are O(1)). Analytic-vs-analytic
 * comparisons use 1e-9.
 */
public final class GraphCheck {
    static final double H = 1e-5;
    static final double FD_TOL = 1e-6;
    static final double EXACT_TOL = 1e-9;

    /** Symbolic batch size, drawn from 2..4 (the batch-1 pass covers 1). */
    public static final long N = -1000;
    /** Symbolic sizes drawn from 1..4. */
    public static final long A = -1001;
    public static final long B = -1002;
    public static final long C = -1003;
    /** Symbolic sizes drawn from 2..4, where size 1 is degenerate (a variance, a normalisation). */
    public static final long P = -1011;
    public static final long Q = -1012;

    static final long DEFAULT_SEED = 20250611L;
    /** The seed every random shape and value derives from. */
    static final long SEED = Long.getLong("ssm4j.test.seed", DEFAULT_SEED);

    /** Where random inputs are drawn from. */
    public enum Domain {
        /** uniform in [−1.5, 1.5] with |x| ≥ 0.1: keeps kinks (relu, abs) out of reach of the FD step */
        AWAY_FROM_ZERO,
        /** uniform in [0.5, 1.5]: log, sqrt, rsqrt, pow, division */
        POSITIVE
    }

    /** Builds the graph under test from its inputs. */
    @FunctionalInterface
    public interface Builder {
        SDVariable build(SameDiff sd, SDVariable[] xs);
    }

    private final String name;
    private final Builder builder;
    /** Input shapes as given (possibly symbolic), and whether each has a dynamic batch dimension. */
    private final List<long[]> specs = new ArrayList<>();
    private final List<Boolean> batchedInputs = new ArrayList<>();
    private Domain domain = Domain.AWAY_FROM_ZERO;
    private double sameDiffTolerance = EXACT_TOL;
    private Double sameDiffToleranceAtBatchOne;
    private String forwardFailsAtBatchOne;

    // the pass being run: placeholder (declared) and concrete shapes, and where its values come from
    private List<long[]> declared = new ArrayList<>();
    private List<long[]> concrete = new ArrayList<>();
    private String pass = "";
    private Random random = new Random(SEED);

    private GraphCheck(String name, Builder builder) {
        this.name = name;
        this.builder = builder;
    }

    public static GraphCheck of(String name, Builder builder) {
        return new GraphCheck(name, builder);
    }

    /**
     * An input placeholder with a dynamic batch dimension: declared −1, evaluated at {@code shape[0]} and
     * then at 1.
     */
    public GraphCheck batched(long... shape) {
        specs.add(shape.clone());
        batchedInputs.add(true);
        return this;
    }

    /** An input placeholder with a fully static shape. */
    public GraphCheck fixed(long... shape) {
        specs.add(shape.clone());
        batchedInputs.add(false);
        return this;
    }

    /**
     * Where SameDiff's own gradient of the op is known to be imprecise or wrong, compare our VJP with it
     * at this tolerance instead (our VJP is still held to finite differences). {@code Double.NaN} skips it.
     */
    public GraphCheck sameDiffGradientTolerance(double tol) {
        this.sameDiffTolerance = tol;
        return this;
    }

    /**
     * As {@link #sameDiffGradientTolerance}, for the batch-1 pass only: {@code Double.NaN} where SameDiff's
     * own gradient fails at batch size 1 (our VJP is then held to finite differences only). Say why at
     * the row.
     */
    public GraphCheck sameDiffGradientToleranceAtBatchOne(double tol) {
        this.sameDiffToleranceAtBatchOne = tol;
        return this;
    }

    /**
     * The function itself cannot run at batch size 1 in ND4J 1.0.0-M2.1 (a reduction of the caller's own
     * over the batch of a rank-2 array): the batch-1 pass asserts that evaluating it still fails that way,
     * so that an ND4J release that fixes it shows up here.
     */
    public GraphCheck forwardFailsAtBatchOne(String why) {
        this.forwardFailsAtBatchOne = why;
        return this;
    }

    public GraphCheck domain(Domain d) {
        this.domain = d;
        return this;
    }

    @Override
    public String toString() {
        return name + " " + describe(resolve(false));
    }

    /** Runs every check at the row's shapes, then at batch size 1. */
    public void verify() {
        runPass(resolve(false), "", sameDiffTolerance);
        if (!batchedInputs.contains(true)) {
            return;
        }
        List<long[]> one = resolve(true);
        if (forwardFailsAtBatchOne != null) {
            begin(one, ", batch-1 pass");
            INDArray[] x = draw(domain);
            RuntimeException e = assertThrows(RuntimeException.class, () -> evaluate(x), () -> label()
                    + ": expected to fail at batch size 1 (" + forwardFailsAtBatchOne + "); has ND4J fixed it? "
                    + "Then drop forwardFailsAtBatchOne and update docs/AUTODIFF.md");
            assertTrue(causedByNullPointer(e), () -> label() + ": failed at batch size 1, but not as known: " + e);
            return;
        }
        runPass(one, ", batch-1 pass",
                sameDiffToleranceAtBatchOne != null ? sameDiffToleranceAtBatchOne : sameDiffTolerance);
    }

    private void runPass(List<long[]> shapes, String passName, double sameDiffTol) {
        begin(shapes, passName);
        try {
            INDArray[] x = draw(domain);
            INDArray[] t = drawNormal();
            checkJvp(x, t);
            INDArray yValue = evaluate(x);
            INDArray u = normal(yValue.shape());
            checkVjp(x, t, u, sameDiffTol);
            checkSecondOrder(x, t, u);
            checkClosure(x, t, u);
        } catch (RuntimeException e) {     // a failure to build or run a graph: say which row, pass and seed
            throw new AssertionError(label() + ": " + e, e);
        }
    }

    private void begin(List<long[]> shapes, String passName) {
        concrete = shapes;
        declared = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            long[] d = shapes.get(i).clone();
            if (batchedInputs.get(i)) {
                d[0] = -1;
            }
            declared.add(d);
        }
        pass = passName;
        random = new Random(SEED * 31 + name.hashCode() + passName.hashCode());
    }

    /** Concrete shapes: symbols drawn from the seed (the same on every call); batch dimensions 1 if asked. */
    private List<long[]> resolve(boolean batchOne) {
        Random r = new Random(SEED ^ name.hashCode());
        Map<Long, Long> sizes = new TreeMap<>();
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            long[] s = specs.get(i).clone();
            for (int k = 0; k < s.length; k++) {
                long symbol = s[k];
                if (symbol <= N) {
                    long lo = symbol == A || symbol == B || symbol == C ? 1 : 2;
                    s[k] = sizes.computeIfAbsent(symbol, y -> lo + r.nextInt((int) (5 - lo)));
                }
            }
            if (batchOne && batchedInputs.get(i)) {
                s[0] = 1;
            }
            out.add(s);
        }
        return out;
    }

    /** Shapes as [3,2]b [2]: b marks a batch dimension (a −1 in the placeholder). */
    private String describe(List<long[]> shapes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shapes.size(); i++) {
            b.append(i == 0 ? "" : " ").append(Arrays.toString(shapes.get(i)).replace(" ", ""))
                    .append(batchedInputs.get(i) ? "b" : "");
        }
        return b.toString();
    }

    /** What failure messages name: the row, its shapes, the pass and the seed. */
    private String label() {
        return name + " " + describe(concrete) + pass + " (seed " + SEED + "; rerun with -Dssm4j.test.seed=" + SEED
                + ")";
    }

    private static boolean causedByNullPointer(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof NullPointerException) {
                return true;
            }
        }
        return false;
    }

    // ---- 1. JVP vs finite differences ----

    private void checkJvp(INDArray[] x, INDArray[] t) {
        Graph g = new Graph();
        SDVariable jvp = g.jvp();
        INDArray analytic = g.sd.output(g.feed(x, t, null, null), jvp.name()).get(jvp.name());
        INDArray fd = centralDifference(x, t);
        assertClose("JVP vs finite differences", fd, analytic, FD_TOL);
    }

    // ---- 2. VJP vs SameDiff gradient, and the dot-product identity ----

    private void checkVjp(INDArray[] x, INDArray[] t, INDArray u, double sameDiffTolerance) {
        Graph g = new Graph();
        SDVariable[] vjp = g.vjp();
        String[] names = names(vjp);
        Map<String, INDArray> ours = g.sd.output(g.feed(x, null, u, null), names);

        double dotVjp = 0;
        for (int i = 0; i < x.length; i++) {
            dotVjp += ours.get(names[i]).mul(t[i]).sumNumber().doubleValue();
        }
        double dotJvp = centralDifference(x, t).mul(u).sumNumber().doubleValue();
        assertClose("<Jᵀu, t> vs <u, J t> (finite differences)", Nd4j.scalar(dotJvp), Nd4j.scalar(dotVjp), FD_TOL);
        if (Double.isNaN(sameDiffTolerance)) {
            return;     // SameDiff's gradient of this graph is known wrong or fails: not a reference
        }
        Graph ref = new Graph(x);
        ref.asLoss(ref.sd.sum(ref.y.mul(ref.u())));
        Map<String, INDArray> theirs = QuietSameDiff.call(
                () -> ref.sd.calculateGradients(ref.feed(x, null, u, null), names(ref.xs)));
        for (int i = 0; i < x.length; i++) {
            assertClose("VJP vs SameDiff gradient, input " + i, theirs.get(ref.xs[i].name()), ours.get(names[i]),
                    sameDiffTolerance);
        }
    }

    // ---- 3. order 2: JVP of the VJP vs finite differences of the VJP ----

    private void checkSecondOrder(INDArray[] x, INDArray[] t, INDArray u) {
        Graph g = new Graph();
        SDVariable[] vjp = g.vjp();
        ForwardTransformer forward = new ForwardTransformer(g.sd);
        for (int i = 0; i < x.length; i++) {
            forward.seed(g.xs[i], g.ts[i]);
        }
        SDVariable[] second = forward.run(vjp);
        for (int i = 0; i < x.length; i++) {
            INDArray analytic = second[i] == null ? Nd4j.zeros(DataType.DOUBLE, x[i].shape())
                    : g.sd.output(g.feed(x, t, u, null), second[i].name()).get(second[i].name());
            INDArray plus = g.sd.output(g.feed(shift(x, t, H), t, u, null), vjp[i].name()).get(vjp[i].name());
            INDArray minus = g.sd.output(g.feed(shift(x, t, -H), t, u, null), vjp[i].name()).get(vjp[i].name());
            INDArray fd = plus.sub(minus).divi(2 * H);
            assertClose("JVP∘VJP vs finite differences of the VJP, input " + i, fd, analytic, FD_TOL);
        }
    }

    // ---- 4. closure: SameDiff's backprop through the emitted ops ----

    private void checkClosure(INDArray[] x, INDArray[] t, INDArray u) {
        INDArray r = normal(evaluate(x).shape());
        Graph g = new Graph(x);
        SDVariable loss = g.sd.sum(g.jvp().mul(g.r(r.shape())));
        checkGradientOfScalar("SameDiff gradient through JVP ops", g, loss, x, t, u, r);

        Graph h = new Graph(x);
        SDVariable[] vjp = h.vjp();
        SDVariable l2 = null;
        for (SDVariable w : vjp) {
            SDVariable term = h.sd.sum(w.mul(w));
            l2 = l2 == null ? term : l2.add(term);
        }
        checkGradientOfScalar("SameDiff gradient through VJP ops", h, l2, x, t, u, r);
    }

    private void checkGradientOfScalar(String what, Graph g, SDVariable loss, INDArray[] x, INDArray[] t,
                                       INDArray u, INDArray r) {
        INDArray[] d = drawNormal();
        double analytic = 0;
        List<String> inputNames = Arrays.asList(names(g.xs));
        boolean dependsOnX = GraphPath.between(g.sd, inputNames, List.of(loss.name()))
                .dependsOnInputs(loss.name());
        if (dependsOnX) {     // else the derivative is exactly zero (linear rules): finite differences must agree
            g.asLoss(loss);
            Map<String, INDArray> grads;
            try {
                grads = QuietSameDiff.call(() -> g.sd.calculateGradients(g.feed(x, t, u, r), names(g.xs)));
            } catch (IllegalStateException e) {
                // SameDiff treats a loss reached from x only through comparisons (eq, step) as constant.
                if (!String.valueOf(e.getMessage()).contains("does not contain any trainable")) {
                    throw e;
                }
                grads = Map.of();
            }
            for (int i = 0; i < x.length; i++) {
                INDArray gi = grads.get(g.xs[i].name());
                analytic += gi == null ? 0 : gi.mul(d[i]).sumNumber().doubleValue();
            }
        }
        double plus = g.sd.output(g.feed(shift(x, d, H), t, u, r), loss.name()).get(loss.name()).getDouble(0);
        double minus = g.sd.output(g.feed(shift(x, d, -H), t, u, r), loss.name()).get(loss.name()).getDouble(0);
        assertClose(what, Nd4j.scalar((plus - minus) / (2 * H)), Nd4j.scalar(analytic), FD_TOL);
    }

    // ---- graph plumbing ----

    /**
     * One fresh graph: inputs x, tangents t, cotangent u, weights r for closure losses. Inputs are
     * placeholders with their declared (possibly dynamic) shapes; or, where SameDiff's own gradient with
     * respect to them is needed (SameDiff 1.0.0-M2.1 differentiates only VARIABLEs), trainable variables.
     */
    private final class Graph {
        final SameDiff sd = SameDiff.create();
        final SDVariable[] xs = new SDVariable[declared.size()];
        final SDVariable[] ts = new SDVariable[declared.size()];
        final boolean inputsAreVariables;
        final SDVariable y;
        SDVariable u;
        SDVariable rVar;

        Graph() {
            this(null);
        }

        Graph(INDArray[] variableValues) {
            inputsAreVariables = variableValues != null;
            for (int i = 0; i < xs.length; i++) {
                xs[i] = inputsAreVariables ? sd.var("x" + i, variableValues[i].dup())
                        : sd.placeHolder("x" + i, DataType.DOUBLE, declared.get(i));
                ts[i] = sd.placeHolder("t" + i, DataType.DOUBLE,
                        inputsAreVariables ? concrete.get(i) : declared.get(i));
            }
            Nd4j.getRandom().setSeed(name.hashCode());   // builders drawing random weights get the same ones
            y = builder.build(sd, xs);
        }

        SDVariable jvp() {
            ForwardTransformer forward = new ForwardTransformer(sd);
            for (int i = 0; i < xs.length; i++) {
                forward.seed(xs[i], ts[i]);
            }
            return forward.run(y)[0];
        }

        SDVariable u() {
            if (u == null) {
                u = sd.placeHolder("u", DataType.DOUBLE, io.github.ssm4j.autodiff.internal.StaticShapes.of(sd).shapeOf(y));
            }
            return u;
        }

        SDVariable[] vjp() {
            return new ReverseTransformer(sd).seed(y, u()).run(xs);
        }

        SDVariable asLoss(SDVariable loss) {
            sd.setLossVariables(loss);
            return loss;
        }

        SDVariable r(long[] shape) {
            rVar = sd.placeHolder("r", DataType.DOUBLE, shape);
            return rVar;
        }

        Map<String, INDArray> feed(INDArray[] x, INDArray[] t, INDArray uValue, INDArray r) {
            Map<String, INDArray> m = new HashMap<>();
            for (int i = 0; i < xs.length; i++) {
                if (inputsAreVariables) {
                    xs[i].setArray(x[i].dup());
                } else {
                    m.put(xs[i].name(), x[i]);
                }
                if (t != null) {
                    m.put(ts[i].name(), t[i]);
                }
            }
            if (u != null && uValue != null) {
                m.put(u.name(), uValue);
            }
            if (rVar != null && r != null) {
                m.put(rVar.name(), r);
            }
            return m;
        }
    }

    private INDArray evaluate(INDArray[] x) {
        Graph g = new Graph();
        return g.sd.output(g.feed(x, null, null, null), g.y.name()).get(g.y.name());
    }

    private INDArray centralDifference(INDArray[] x, INDArray[] t) {
        return evaluate(shift(x, t, H)).sub(evaluate(shift(x, t, -H))).divi(2 * H);
    }

    private static INDArray[] shift(INDArray[] x, INDArray[] d, double h) {
        INDArray[] r = new INDArray[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i].add(d[i].mul(h));
        }
        return r;
    }

    private INDArray[] draw(Domain dom) {
        INDArray[] r = new INDArray[concrete.size()];
        for (int i = 0; i < r.length; i++) {
            long[] s = concrete.get(i);
            double[] v = new double[(int) Nd4j.create(DataType.DOUBLE, s).length()];
            for (int k = 0; k < v.length; k++) {
                if (dom == Domain.POSITIVE) {
                    v[k] = 0.5 + random.nextDouble();
                } else {
                    double a = 0.1 + 1.4 * random.nextDouble();
                    v[k] = random.nextBoolean() ? a : -a;
                }
            }
            r[i] = Nd4j.createFromArray(v).reshape(s);
        }
        return r;
    }

    private INDArray[] drawNormal() {
        INDArray[] r = new INDArray[concrete.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = normal(concrete.get(i));
        }
        return r;
    }

    private INDArray normal(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int k = 0; k < v.length; k++) {
            v[k] = random.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    private static String[] names(SDVariable[] vs) {
        String[] n = new String[vs.length];
        for (int i = 0; i < vs.length; i++) {
            n[i] = vs[i].name();
        }
        return n;
    }

    void assertClose(String what, INDArray expected, INDArray actual, double tol) {
        assertTrue(Arrays.equals(expected.shape(), actual.shape()), () -> label() + ": " + what
                + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        INDArray diff = org.nd4j.linalg.ops.transforms.Transforms.abs(expected.sub(actual), false);
        INDArray bound = org.nd4j.linalg.ops.transforms.Transforms.abs(expected, true).addi(1.0).muli(tol);
        double maxDiff = diff.maxNumber().doubleValue();
        double worst = diff.subi(bound).maxNumber().doubleValue();
        assertTrue(worst <= 0, () -> label() + ": " + what + " differ beyond " + tol + " relative (max |diff| "
                + maxDiff + "):\nexpected "
                + expected + "\nactual   " + actual);
    }
}
