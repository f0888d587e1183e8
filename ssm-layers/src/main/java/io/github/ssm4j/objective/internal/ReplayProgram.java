package io.github.ssm4j.objective.internal;

import io.github.ssm4j.objective.internal.OpTracer.ArrayShape;
import io.github.ssm4j.objective.internal.OpTracer.TracedOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.RandomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One SameDiff execution frozen into a straight-line program: the ops it ran, in its order, each with an
 * op context prepared once — arguments set, output arrays allocated once and shared between ops whose
 * lifetimes do not overlap — so that running it again is one native call per op and a copy of the
 * placeholders in.
 *
 * <p>Why: SameDiff's inference session re-plans every execution (which ops are needed, dependency
 * tracking, output shape inference, array allocation and release), about 50–80 µs of Java per op on this
 * machine. A score-matching step runs the same fixed graph with same-shaped inputs thousands of times, so
 * that work can be done once. Nothing about the arithmetic changes: the same libnd4j kernels run on the same
 * inputs in the same order, so the results are SameDiff's bit for bit (tested).
 *
 * <p>What it cannot replay it refuses at {@link #compile} with the reason (control flow, tensor arrays,
 * random ops, in-place assignment, an input it cannot trace to a placeholder, variable, constant or earlier
 * op); the caller then keeps using SameDiff. A program is valid for the placeholder shapes it was traced
 * with; variables are looked up on every run, so updated or replaced weight arrays are seen.
 */
public final class ReplayProgram {
    /** Where an op input comes from on each run. */
    private sealed interface Source permits Buffer, Placeholder, Variable, Fixed {
        INDArray array(SameDiff graph);
    }

    /** The output buffer of an earlier op. */
    private record Buffer(INDArray array) implements Source {
        public INDArray array(SameDiff graph) {
            return array;
        }
    }

    /** A placeholder: copied into {@code array} at the start of every run. */
    private record Placeholder(String name, INDArray array) implements Source {
        public INDArray array(SameDiff graph) {
            return array;
        }
    }

    /** A trainable variable: looked up on every run (the trainer may update it in place or replace it). */
    private record Variable(String name) implements Source {
        public INDArray array(SameDiff graph) {
            return graph.getArrForVarName(name);
        }
    }

    /** A constant array of the graph, or a constant made here. */
    private record Fixed(INDArray array) implements Source {
        public INDArray array(SameDiff graph) {
            return array;
        }
    }

    /** One op of the program. */
    private static final class Step {
        final DifferentialFunction op;
        final Source[] inputs;
        final INDArray[] bound;
        final OpContext context;
        /** A legacy scalar op whose scalar is its second input: set from that input on every run. */
        final Source scalarInput;
        /** The gradient op ({@code matmul_bp}, {@code multiply_bp}) reduced to the one product that is read, or null. */
        final String prunedFrom;
        /** What the step computes, for {@link #listing()}: op, inputs and outputs by graph name. */
        String label = "";

        Step(DifferentialFunction op, Source[] inputs, OpContext context, Source scalarInput) {
            this(op, inputs, context, scalarInput, null);
        }

        Step(DifferentialFunction op, Source[] inputs, OpContext context, Source scalarInput, String prunedFrom) {
            this.op = op;
            this.inputs = inputs;
            this.bound = new INDArray[inputs.length];
            this.context = context;
            this.scalarInput = scalarInput;
            this.prunedFrom = prunedFrom;
        }
    }

    /**
     * {@code -Dssm4j.replay.profile=true}: time every op, summed by op name (see {@link OpProfile});
     * {@code =steps}: by program step (op, inputs and outputs, as in {@link #listing()}).
     */
    private static final String PROFILE_MODE = System.getProperty("ssm4j.replay.profile", "false");
    private static final boolean PROFILE = "true".equals(PROFILE_MODE) || "steps".equals(PROFILE_MODE);
    private static final boolean PROFILE_STEPS = "steps".equals(PROFILE_MODE);

    private final SameDiff graph;
    private final List<Step> steps;
    private final List<Placeholder> placeholders;
    private final Map<String, Source> outputs;
    private final int tanhDerivativesFromForward;

    private ReplayProgram(SameDiff graph, List<Step> steps, List<Placeholder> placeholders, Map<String, Source> outputs,
                          int tanhDerivativesFromForward) {
        this.graph = graph;
        this.tanhDerivativesFromForward = tanhDerivativesFromForward;
        this.steps = steps;
        this.placeholders = placeholders;
        this.outputs = outputs;
    }

    /** A program is valid for feeds whose placeholders have exactly these names, shapes and types. */
    public static String signature(Map<String, INDArray> feed) {
        StringBuilder sb = new StringBuilder();
        feed.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(e.getKey()).append(':')
                .append(e.getValue().dataType()).append(Arrays.toString(e.getValue().shape())).append(';'));
        return sb.toString();
    }

    /**
     * Runs {@code execution} (one SameDiff execution of {@code owner}, or of a function of it such as its
     * gradient function) while recording it, and compiles what ran into a program that computes
     * {@code requested}. Returns what {@code execution} returned, and the program or why there is none.
     */
    public static <T> Traced<T> trace(SameDiff owner, Map<String, INDArray> feed, List<String> requested,
                                      Supplier<T> execution) {
        OpTracer tracer = new OpTracer();
        List<org.nd4j.autodiff.listeners.Listener> before = new ArrayList<>(owner.getListeners());
        owner.addListeners(tracer);
        T result;
        try {
            result = execution.get();
        } finally {
            owner.setListeners(before);
        }
        try {
            return new Traced<>(result, Optional.of(compile(tracer.ops(), feed, requested)), null);
        } catch (NotReplayable e) {
            return new Traced<>(result, Optional.empty(), e.getMessage());
        }
    }

    /** The result of a traced execution, and the program compiled from it (empty, with the reason, if none). */
    public record Traced<T>(T result, Optional<ReplayProgram> program, String whyNot) {
    }

    /** Why an execution cannot be replayed. */
    static final class NotReplayable extends Exception {
        NotReplayable(String message) {
            super(message);
        }
    }

    static ReplayProgram compile(List<TracedOp> trace, Map<String, INDArray> feed, List<String> requested)
            throws NotReplayable {
        if (trace.isEmpty()) {
            throw new NotReplayable("the execution ran no ops");
        }
        SameDiff graph = trace.get(0).graph();
        Map<Integer, TanhDerivativeReuse.Rewrite> tanhRewrites =
                TanhDerivativeReuse.plan(trace, TanhDerivativeReuse::backendAgrees);
        Map<String, Integer> lastUse = lastUses(trace, requested, tanhRewrites);
        Map<String, Source> sources = new HashMap<>();
        List<Placeholder> placeholders = new ArrayList<>();
        BufferPool pool = new BufferPool();
        Map<String, String> bufferOwner = new HashMap<>(); // variable name → name whose buffer it is (aliases)
        List<Step> steps = new ArrayList<>();
        for (int index = 0; index < trace.size(); index++) {
            TracedOp traced = trace.get(index);
            if (traced.graph() != graph) {
                throw new NotReplayable("the execution ran ops of two SameDiff instances");
            }
            DifferentialFunction op = traced.op().getOp();
            TanhDerivativeReuse.Rewrite tanhRewrite = tanhRewrites.get(index);
            String[] argNames = readsOf(op, tanhRewrite);
            List<String> outNames = traced.op().getOutputsOfOp();
            Source[] inputs = new Source[argNames.length];
            for (int i = 0; i < argNames.length; i++) {
                inputs[i] = source(argNames[i], graph, sources, feed, placeholders);
            }
            if (op instanceof Identity) {
                // SameDiff passes the input through without a copy; so do we (its lifetime extends to the alias's)
                sources.put(outNames.get(0), inputs[0]);
                bufferOwner.put(outNames.get(0), bufferOwner.getOrDefault(argNames[0], argNames[0]));
                continue;
            }
            if (op instanceof GradientBackwardsMarker) {
                for (String out : outNames) {
                    sources.put(out, new Fixed(Nd4j.scalar(DataType.FLOAT, 1.0f)));
                }
                continue;
            }
            checkSupported(op);
            INDArray[] outArrays = new INDArray[outNames.size()];
            for (int i = 0; i < outArrays.length; i++) {
                ArrayShape shape = traced.outputs().get(i);
                if (shape == null) {
                    throw new NotReplayable("op " + op.getOwnName() + " (" + op.opName() + ") left output " + i + " unset");
                }
                outArrays[i] = pool.take(shape);
                sources.put(outNames.get(i), new Buffer(outArrays[i]));
                bufferOwner.put(outNames.get(i), outNames.get(i));
            }
            String label = Arrays.toString(argNames) + " -> " + outNames + " " + Arrays.toString(outArrays[0].shape());
            if (tanhRewrite != null) {
                for (Step step : tanhDerivativeFromForward(tanhRewrite, inputs, outArrays[0])) {
                    step.label = step.op.opName() + " (tanh_bp from the forward pass) " + label;
                    steps.add(step);
                }
            } else {
                Step pruned = matmulGradientForOneInput(op, inputs, outArrays, outNames, lastUse);
                if (pruned == null) {
                    pruned = multiplyGradientForOneInput(op, inputs, outArrays, outNames, lastUse, graph);
                }
                Step step = pruned != null ? pruned : prepare(op, argNames, inputs, outArrays, graph);
                step.label = step.op.opName() + (pruned != null ? " (from " + op.opName() + ")" : "") + " " + label;
                steps.add(step);
            }
            // buffers whose last reader was this op can hold later outputs (taken above, so never this op's own)
            for (String name : argNames) {
                String owner = bufferOwner.getOrDefault(name, name);
                if (lastUse.getOrDefault(owner, -1) == index && sources.get(owner) instanceof Buffer b
                        && pool.release(b.array())) {
                    lastUse.remove(owner);
                }
            }
            for (int i = 0; i < outArrays.length; i++) {
                // an output nobody reads (one of several, say) is free at once
                if (!lastUse.containsKey(outNames.get(i))) {
                    pool.release(outArrays[i]);
                }
            }
        }
        Map<String, Source> outputs = new LinkedHashMap<>();
        for (String name : requested) {
            Source s = sources.get(name);
            if (s == null) {
                throw new NotReplayable("requested output '" + name + "' was not computed by the traced execution");
            }
            outputs.put(name, s);
        }
        ReplayProgram program = new ReplayProgram(graph, steps, placeholders, outputs, tanhRewrites.size());
        if (Boolean.getBoolean("ssm4j.replay.listing")) {
            System.err.println(program.listing());
        }
        return program;
    }

    /** The program, one line per op: what it runs, on which inputs, into which outputs (by graph name). */
    public String listing() {
        StringBuilder sb = new StringBuilder("replay program, " + steps.size() + " ops:\n");
        for (int i = 0; i < steps.size(); i++) {
            sb.append(String.format("%3d  %s%n", i, steps.get(i).label));
        }
        return sb.toString();
    }

    /**
     * The index of the last op (by trace position) that reads each op output, through aliases; requested
     * outputs live to the end. An output never read is absent.
     */
    private static Map<String, Integer> lastUses(List<TracedOp> trace, List<String> requested,
                                                 Map<Integer, TanhDerivativeReuse.Rewrite> tanhRewrites) {
        Map<String, String> alias = new HashMap<>();
        Map<String, Integer> last = new HashMap<>();
        for (int index = 0; index < trace.size(); index++) {
            DifferentialFunction op = trace.get(index).op().getOp();
            String[] args = readsOf(op, tanhRewrites.get(index));
            for (String a : args) {
                last.put(alias.getOrDefault(a, a), index);
            }
            if (op instanceof Identity) {
                String in = alias.getOrDefault(args[0], args[0]);
                alias.put(trace.get(index).op().getOutputsOfOp().get(0), in);
            }
        }
        for (String r : requested) {
            last.put(alias.getOrDefault(r, r), Integer.MAX_VALUE);
        }
        return last;
    }

    /** The graph names an op reads when replayed: its arguments, or what its replacement reads instead. */
    private static String[] readsOf(DifferentialFunction op, TanhDerivativeReuse.Rewrite tanhRewrite) {
        if (tanhRewrite != null) {
            return tanhRewrite.reads();
        }
        return op.argNames() == null ? new String[0] : op.argNames();
    }

    private static Source source(String name, SameDiff graph, Map<String, Source> sources, Map<String, INDArray> feed,
                                 List<Placeholder> placeholders) throws NotReplayable {
        Source s = sources.get(name);
        if (s != null) {
            return s;
        }
        SDVariable v = graph.getVariable(name);
        if (v == null) {
            throw new NotReplayable("input '" + name + "' is neither a graph variable nor an earlier op's output");
        }
        VariableType type = v.getVariableType();
        if (type == VariableType.PLACEHOLDER) {
            INDArray fed = feed.get(name);
            if (fed == null) {
                throw new NotReplayable("placeholder '" + name + "' was not fed");
            }
            Placeholder p = new Placeholder(name, Nd4j.createUninitialized(fed.dataType(), fed.shape(), 'c'));
            placeholders.add(p);
            s = p;
        } else if (type == VariableType.VARIABLE) {
            s = new Variable(name);
        } else if (type == VariableType.CONSTANT) {
            s = new Fixed(graph.getArrForVarName(name));
        } else {
            throw new NotReplayable("input '" + name + "' (" + type + ") was computed before the traced ops ran");
        }
        sources.put(name, s);
        return s;
    }

    private static void checkSupported(DifferentialFunction op) throws NotReplayable {
        String kind = op.getClass().getName();
        boolean controlFlowOrArrays = kind.contains(".controlflow.") || kind.contains(".shape.tensorops.")
                || kind.endsWith(".Invoke") || kind.endsWith(".CreateView") || kind.endsWith(".Assign")
                || kind.endsWith(".ExternalErrorsFunction");
        if (controlFlowOrArrays) {
            throw new NotReplayable("op " + op.getOwnName() + " (" + op.getClass().getSimpleName()
                    + ") is control flow, a tensor array or in-place assignment, which SameDiff executes specially");
        }
        if (op instanceof RandomOp) {
            throw new NotReplayable("op " + op.getOwnName() + " (" + op.opName() + ") draws random numbers");
        }
        if (!(op instanceof CustomOp) && !(op instanceof Op)) {
            throw new NotReplayable("op " + op.getOwnName() + " (" + op.getClass().getName() + ") is not an executable op");
        }
    }

    /**
     * {@code matmul_bp} computes the gradients of both factors with two matrix products, whether or not both
     * are read. SameDiff asks for the gradient of every op input on the way to the weights, so the first
     * layer's product x·W (and, in the sliced objectives, the tangent product v·W) also yields a gradient for
     * x (or v) that nothing reads — for the 784-wide benchmark network about 12 % of a step's FLOPs. When only
     * one output is read, this returns a step that runs just that product, as the same libnd4j
     * {@code matmul} call with the transposes and α, β that {@code matmul_bp} itself passes it, so the result
     * is the same bit for bit; otherwise null.
     */
    private static Step matmulGradientForOneInput(DifferentialFunction op, Source[] inputs, INDArray[] outputs,
                                                  List<String> outNames, Map<String, Integer> lastUse) {
        if (!(op instanceof MmulBp bp) || inputs.length != 3 || outputs.length != 2
                || outputs[0].rank() != 2 || outputs[1].rank() != 2
                || !(inputs[2] instanceof Buffer eps && eps.array().rank() == 2)) {
            return null;   // batched products, and a scalar eps (matmul_bp's special case), keep matmul_bp
        }
        boolean firstRead = lastUse.containsKey(outNames.get(0));
        boolean secondRead = lastUse.containsKey(outNames.get(1));
        if (firstRead == secondRead) {
            return null;
        }
        long[] i = bp.iArgs();
        boolean transX = i.length > 0 && i[0] != 0;
        boolean transY = i.length > 1 && i[1] != 0;
        boolean transZ = i.length > 2 && i[2] != 0;
        double[] t = bp.tArgs();
        double alpha = t.length > 0 ? t[0] : 1.0;
        double beta = t.length > 1 ? t[1] : 0.0;
        // matmul_bp: dL/dx = matmul(eps, y; transZ, !transY, transX), dL/dy = matmul(x, eps; !transX, transZ, transY)
        Source[] factors = firstRead ? new Source[] {inputs[2], inputs[1]} : new Source[] {inputs[0], inputs[2]};
        long[] flags = firstRead ? new long[] {flag(transZ), flag(!transY), flag(transX)}
                : new long[] {flag(!transX), flag(transZ), flag(transY)};
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setIArguments(flags);
        context.setTArguments(alpha, beta);
        context.setOutputArrays(outputs[firstRead ? 0 : 1]);
        return new Step(new Mmul(), factors, context, null, "matmul_bp");
    }

    /**
     * {@code multiply_bp(x, y, g)} gives {@code g ⊙ y} for x and {@code g ⊙ x} for y, each summed over the
     * axes along which its factor was broadcast. The objectives weight every example by a row weight of
     * shape [N, 1] broadcast over [N, D], and nothing reads that weight's gradient — yet computing it, a
     * reduction over D, was the most expensive op of a large SSM-VR step (≈ 4.8 ms of ≈ 40 ms, measured by
     * step profile). When only one output is read and its factor has the output's full shape (so no
     * reduction applies to it), this returns a step that computes just that product with the broadcasting
     * {@code multiply}; a product of two numbers is one correctly rounded operation whichever kernel does it,
     * so the result is multiply_bp's bit for bit. Otherwise null.
     */
    private static Step multiplyGradientForOneInput(DifferentialFunction op, Source[] inputs, INDArray[] outputs,
                                                    List<String> outNames, Map<String, Integer> lastUse,
                                                    SameDiff graph) {
        if (!"multiply_bp".equals(op.opName()) || inputs.length != 3 || outputs.length != 2) {
            return null;
        }
        boolean firstRead = lastUse.containsKey(outNames.get(0));
        boolean secondRead = lastUse.containsKey(outNames.get(1));
        if (firstRead == secondRead) {
            return null;
        }
        int read = firstRead ? 0 : 1;
        INDArray factor = inputs[read].array(graph);
        INDArray other = inputs[1 - read].array(graph);
        INDArray gradient = inputs[2].array(graph);
        if (factor == null || other == null || gradient == null
                || !Arrays.equals(factor.shape(), gradient.shape()) || !Arrays.equals(outputs[read].shape(), gradient.shape())
                || factor.dataType() != gradient.dataType() || other.dataType() != gradient.dataType()
                || outputs[read].dataType() != gradient.dataType()) {
            return null;   // the read gradient needs a reduction (or a type conversion): keep multiply_bp
        }
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setOutputArrays(outputs[read]);
        return new Step(new MulOp(), new Source[] {inputs[2], inputs[1 - read]}, context, null, "multiply_bp");
    }

    /**
     * The steps that replace a {@code tanh_bp(x, g)} (see {@link TanhDerivativeReuse}), reading {@code inputs}
     * in the order {@link TanhDerivativeReuse.Rewrite#reads()} gives: {@code g ⊙ d} as one multiply, or
     * {@code y·y}, {@code 1 − ·}, {@code g ⊙ ·} in place in {@code out} — the sequence the backend probe ran.
     */
    private static List<Step> tanhDerivativeFromForward(TanhDerivativeReuse.Rewrite rewrite, Source[] inputs,
                                                        INDArray out) {
        Source gradient = inputs[0];
        if (rewrite.derivative() != null) {
            return List.of(multiply(gradient, inputs[1], out));
        }
        Source y = inputs[1];
        Buffer buffer = new Buffer(out);
        OpContext oneMinus = Nd4j.getExecutioner().buildContext();
        oneMinus.setOutputArrays(out);
        Step square = multiply(y, y, out);
        Step complement = new Step(new ScalarReverseSubtraction(out, out, 1.0), new Source[] {buffer}, oneMinus, null);
        Step times = multiply(gradient, buffer, out);
        return List.of(square, complement, times);
    }

    private static Step multiply(Source a, Source b, INDArray out) {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setOutputArrays(out);
        return new Step(new MulOp(), new Source[] {a, b}, context, null);
    }

    private static long flag(boolean b) {
        return b ? 1 : 0;
    }

    private static Step prepare(DifferentialFunction op, String[] argNames, Source[] inputs, INDArray[] outputs,
                                SameDiff graph) throws NotReplayable {
        OpContext context = Nd4j.getExecutioner().buildContext();
        Source scalarInput = null;
        Source[] bound = inputs;
        if (op instanceof CustomOp) {
            DynamicCustomOp custom = (DynamicCustomOp) op;
            context.setIArguments(custom.iArgs());
            context.setTArguments(custom.tArgs());
            context.setBArguments(custom.bArgs());
            context.setDArguments(custom.dArgs());
        } else if (op instanceof ReduceOp r && r.getOpType() != Op.Type.REDUCE3 && argNames.length == 2) {
            // the axis is the second input; SameDiff set the op's dimensions from it when tracing
            if (graph.getVariable(argNames[1]).getVariableType() != VariableType.CONSTANT) {
                throw new NotReplayable("reduction " + op.getOwnName() + " takes its axis from a computed array");
            }
            bound = new Source[] {inputs[0]};
        } else if (op instanceof ScalarOp && argNames.length == 2) {
            scalarInput = inputs[1];
            bound = new Source[] {inputs[0]};
        } else if (argNames.length > 2) {
            throw new NotReplayable("legacy op " + op.getOwnName() + " has " + argNames.length + " inputs");
        }
        context.setOutputArrays(outputs);
        return new Step(op, bound, context, scalarInput);
    }

    /**
     * Runs the program on {@code feed} (the placeholders it was traced with, same shapes) and returns the
     * requested outputs. The arrays returned are the program's own and are overwritten by the next run.
     */
    public Map<String, INDArray> run(Map<String, INDArray> feed) {
        for (Placeholder p : placeholders) {
            INDArray fed = feed.get(p.name());
            if (fed == null || !Arrays.equals(fed.shape(), p.array().shape()) || fed.dataType() != p.array().dataType()) {
                throw new IllegalArgumentException("Placeholder '" + p.name() + "' must be " + p.array().dataType()
                        + Arrays.toString(p.array().shape()) + " as traced, got "
                        + (fed == null ? "nothing" : fed.dataType() + Arrays.toString(fed.shape())));
            }
            p.array().assign(fed);
        }
        for (Step step : steps) {
            boolean changed = false;
            for (int i = 0; i < step.inputs.length; i++) {
                INDArray a = resolve(step.inputs[i]);
                if (a != step.bound[i]) {
                    step.bound[i] = a;
                    changed = true;
                }
            }
            if (changed) {
                step.context.setInputArrays(step.bound);
            }
            if (step.scalarInput != null) {
                ((ScalarOp) step.op).setScalar(resolve(step.scalarInput));
            }
            long start = PROFILE ? System.nanoTime() : 0;
            if (step.op instanceof CustomOp custom) {
                Nd4j.exec(custom, step.context);
            } else {
                Nd4j.exec((Op) step.op, step.context);
            }
            if (PROFILE) {
                OpProfile.record(PROFILE_STEPS ? step.label : step.op.opName(), System.nanoTime() - start);
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        outputs.forEach((name, source) -> out.put(name, resolve(source)));
        return out;
    }

    private INDArray resolve(Source s) {
        return s.array(graph);
    }

    /** Ops in the program (Identity pass-throughs are not ops here). */
    public int size() {
        return steps.size();
    }

    /** How many {@code tanh_bp} ops run from the forward pass's tanh (see {@link TanhDerivativeReuse}). */
    public int tanhDerivativesFromForward() {
        return tanhDerivativesFromForward;
    }

    /**
     * How many {@code gradientOp} ops ({@code matmul_bp} or {@code multiply_bp}) run as a single product,
     * because one of their two gradients is never read.
     */
    public int singleFactorGradients(String gradientOp) {
        return (int) steps.stream().filter(s -> gradientOp.equals(s.prunedFrom)).count();
    }

    /** Free arrays by shape, type and ordering, so that ops whose lifetimes do not overlap share a buffer. */
    private static final class BufferPool {
        private final Map<String, Deque<INDArray>> free = new HashMap<>();
        private final Map<INDArray, String> keys = new IdentityHashMap<>();
        private final Set<INDArray> released = Collections.newSetFromMap(new IdentityHashMap<>());

        INDArray take(ArrayShape shape) {
            String key = shape.dataType() + Arrays.toString(shape.shape()) + shape.ordering();
            Deque<INDArray> d = free.get(key);
            INDArray a = d == null ? null : d.pollFirst();
            if (a != null) {
                released.remove(a);
                return a;
            }
            a = shape.empty() ? Nd4j.empty(shape.dataType())
                    : Nd4j.createUninitialized(shape.dataType(), shape.shape(), shape.ordering());
            if (!shape.empty()) {
                keys.put(a, key);
            }
            return a;
        }

        /** Returns the array to the pool; false if it was already free (or is empty, which holds nothing). */
        boolean release(INDArray a) {
            String key = keys.get(a);
            if (key == null || !released.add(a)) {
                return false;
            }
            free.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(a);
            return true;
        }
    }
}
