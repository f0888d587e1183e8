package io.github.ssm4j.objective.internal;

import io.github.ssm4j.objective.internal.OpTracer.ArrayShape;
import io.github.ssm4j.objective.internal.OpTracer.TracedOp;
import io.github.ssm4j.objective.internal.StepInput.Buffer;
import io.github.ssm4j.objective.internal.StepInput.Fixed;
import io.github.ssm4j.objective.internal.StepInput.Placeholder;
import io.github.ssm4j.objective.internal.StepInput.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
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
    /**
     * {@code -Dssm4j.replay.profile=true}: time every op, summed by op name (see {@link OpProfile});
     * {@code =steps}: by program step (op, inputs and outputs, as in {@link #listing()}).
     */
    private static final String PROFILE_MODE = System.getProperty("ssm4j.replay.profile", "false");
    private static final boolean PROFILE = "true".equals(PROFILE_MODE) || "steps".equals(PROFILE_MODE);
    private static final boolean PROFILE_STEPS = "steps".equals(PROFILE_MODE);

    private final SameDiff graph;
    private final List<ReplayStep> steps;
    private final List<Placeholder> placeholders;
    private final Map<String, StepInput> outputs;
    private final int tanhDerivativesFromForward;
    private final int productsAddingThemselves;
    private final int biasGradientProducts;

    private ReplayProgram(SameDiff graph, List<ReplayStep> steps, List<Placeholder> placeholders, Map<String, StepInput> outputs,
                          int tanhDerivativesFromForward, int productsAddingThemselves, int biasGradientProducts) {
        this.biasGradientProducts = biasGradientProducts;
        this.graph = graph;
        this.tanhDerivativesFromForward = tanhDerivativesFromForward;
        this.productsAddingThemselves = productsAddingThemselves;
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
        IntFunction<String[]> reads = index -> readsOf(trace.get(index).op().getOp(), tanhRewrites.get(index));
        Map<String, ProductAccumulation.Plan> accumulations = ProductAccumulation.plan(trace, requested, reads);
        Map<Integer, ProductAccumulation.Plan> accumulatingAdds = new HashMap<>();
        accumulations.values().forEach(p -> accumulatingAdds.put(p.addIndex(), p));
        Set<Integer> addsDoneByProducts = new HashSet<>();
        Map<String, Integer> lastUse = lastUses(trace, requested, reads, accumulatingAdds);
        Map<String, StepInput> sources = new HashMap<>();
        List<Placeholder> placeholders = new ArrayList<>();
        BufferPool pool = new BufferPool();
        Map<String, String> bufferOwner = new HashMap<>(); // variable name → name whose buffer it is (aliases)
        List<ReplayStep> steps = new ArrayList<>();
        int biasGradientProducts = 0;
        for (int index = 0; index < trace.size(); index++) {
            TracedOp traced = trace.get(index);
            if (traced.graph() != graph) {
                throw new NotReplayable("the execution ran ops of two SameDiff instances");
            }
            DifferentialFunction op = traced.op().getOp();
            TanhDerivativeReuse.Rewrite tanhRewrite = tanhRewrites.get(index);
            String[] argNames = readsOf(op, tanhRewrite);
            List<String> outNames = traced.op().getOutputsOfOp();
            StepInput[] inputs = new StepInput[argNames.length];
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
            ProductAccumulation.Plan sumOfProduct = accumulatingAdds.get(index);
            if (sumOfProduct != null && addsDoneByProducts.contains(index)) {
                // the product added itself into the accumulator's buffer, which is now the sum
                sources.put(outNames.get(0), sources.get(sumOfProduct.accumulator()));
                bufferOwner.put(outNames.get(0), bufferOwner.get(sumOfProduct.accumulator()));
                releaseLastReads(argNames, index, bufferOwner, lastUse, sources, pool);
                continue;
            }
            checkSupported(op);
            Map<Integer, INDArray> targets = new HashMap<>();   // output slot → the accumulator buffer it adds into
            for (int i = 0; i < outNames.size(); i++) {
                ProductAccumulation.Plan plan = accumulations.get(outNames.get(i));
                if (plan != null && sources.get(plan.accumulator()) instanceof Buffer b) {
                    targets.put(i, b.array());
                }
            }
            int[] outRanks = traced.outputs().stream().mapToInt(o -> o == null ? -1 : o.shape().length).toArray();
            Map<Integer, CheaperSteps.MatmulCall> accumulating = targets.isEmpty() ? Map.of()
                    : ProductAccumulation.accumulating(op, inputs, outRanks, targets, graph);
            INDArray[] outArrays = new INDArray[outNames.size()];
            for (int i = 0; i < outArrays.length; i++) {
                ArrayShape shape = traced.outputs().get(i);
                if (shape == null) {
                    throw new NotReplayable("op " + op.getOwnName() + " (" + op.opName() + ") left output " + i + " unset");
                }
                if (!shape.empty() && !rowMajor(shape.shape(), shape.ordering())) {
                    throw new NotReplayable("op " + op.getOwnName() + " (" + op.opName() + ") wrote a column-major "
                            + "output; replay runs row-major arrays only");
                }
                if (accumulating.containsKey(i)) {
                    ProductAccumulation.Plan plan = accumulations.get(outNames.get(i));
                    outArrays[i] = targets.get(i);
                    bufferOwner.put(outNames.get(i), bufferOwner.get(plan.accumulator()));
                    addsDoneByProducts.add(plan.addIndex());
                } else if (sumOfProduct != null) {
                    // the product could not add itself: the add runs as traced, in place in the accumulator's buffer
                    outArrays[i] = ((Buffer) sources.get(sumOfProduct.accumulator())).array();
                    bufferOwner.put(outNames.get(i), bufferOwner.get(sumOfProduct.accumulator()));
                } else {
                    outArrays[i] = pool.take(shape);
                    bufferOwner.put(outNames.get(i), outNames.get(i));
                }
                sources.put(outNames.get(i), new Buffer(outArrays[i]));
            }
            String label = Arrays.toString(argNames) + " -> " + outNames + " " + Arrays.toString(outArrays[0].shape());
            List<ReplayStep> biasSteps;
            if (!accumulating.isEmpty()) {
                steps.addAll(ProductAccumulation.steps(op, inputs, outArrays, outNames, lastUse, accumulating, label));
            } else if (tanhRewrite != null) {
                for (ReplayStep step : CheaperSteps.tanhDerivativeFromForward(tanhRewrite, inputs, outArrays[0])) {
                    step.label = step.op.opName() + " (tanh_bp from the forward pass) " + label;
                    steps.add(step);
                }
            } else if ((biasSteps = BiasGradientProduct.steps(op, inputs, outArrays, outNames, lastUse, graph)) != null) {
                for (ReplayStep step : biasSteps) {
                    step.label = step.op.opName() + " (from add_bp, the bias gradient as a product) " + label;
                    steps.add(step);
                    biasGradientProducts += step.op instanceof Mmul ? 1 : 0;
                }
            } else {
                ReplayStep pruned = CheaperSteps.matmulGradientForOneInput(op, inputs, outArrays, outNames, lastUse);
                if (pruned == null) {
                    pruned = CheaperSteps.multiplyGradientForOneInput(op, inputs, outArrays, outNames, lastUse, graph);
                }
                ReplayStep step = pruned != null ? pruned : prepare(op, argNames, inputs, outArrays, graph);
                step.label = step.op.opName() + (pruned != null ? " (from " + op.opName() + ")" : "") + " " + label;
                steps.add(step);
            }
            releaseLastReads(argNames, index, bufferOwner, lastUse, sources, pool);
            for (int i = 0; i < outArrays.length; i++) {
                // an output nobody reads (one of several, say) is free at once
                if (!lastUse.containsKey(bufferOwner.get(outNames.get(i)))) {
                    pool.release(outArrays[i]);
                }
            }
        }
        Map<String, StepInput> outputs = new LinkedHashMap<>();
        for (String name : requested) {
            StepInput s = sources.get(name);
            if (s == null) {
                throw new NotReplayable("requested output '" + name + "' was not computed by the traced execution");
            }
            outputs.put(name, s);
        }
        ReplayProgram program = new ReplayProgram(graph, steps, placeholders, outputs, tanhRewrites.size(),
                addsDoneByProducts.size(), biasGradientProducts);
        if (Boolean.getBoolean("ssm4j.replay.listing")) {
            System.err.println(program.listing());
        }
        return program;
    }

    /** Buffers whose last reader was the op at {@code index} can hold later outputs (never that op's own). */
    private static void releaseLastReads(String[] argNames, int index, Map<String, String> bufferOwner,
                                         Map<String, Integer> lastUse, Map<String, StepInput> sources, BufferPool pool) {
        for (String name : argNames) {
            String owner = bufferOwner.getOrDefault(name, name);
            if (lastUse.getOrDefault(owner, -1) == index && sources.get(owner) instanceof Buffer b
                    && pool.release(b.array())) {
                lastUse.remove(owner);
            }
        }
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
    private static Map<String, Integer> lastUses(List<TracedOp> trace, List<String> requested, IntFunction<String[]> reads,
                                                 Map<Integer, ProductAccumulation.Plan> accumulatingAdds) {
        Map<String, String> alias = new HashMap<>();
        Map<String, Integer> last = new HashMap<>();
        for (int index = 0; index < trace.size(); index++) {
            DifferentialFunction op = trace.get(index).op().getOp();
            String[] args = reads.apply(index);
            for (String a : args) {
                last.put(alias.getOrDefault(a, a), index);
            }
            ProductAccumulation.Plan sum = accumulatingAdds.get(index);
            if (op instanceof Identity) {
                String in = alias.getOrDefault(args[0], args[0]);
                alias.put(trace.get(index).op().getOutputsOfOp().get(0), in);
            } else if (sum != null) {
                // the sum is the accumulator's buffer: it lives as long as the sum is read
                alias.put(sum.sum(), alias.getOrDefault(sum.accumulator(), sum.accumulator()));
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

    private static StepInput source(String name, SameDiff graph, Map<String, StepInput> sources, Map<String, INDArray> feed,
                                 List<Placeholder> placeholders) throws NotReplayable {
        StepInput s = sources.get(name);
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
        } else if (type == VariableType.VARIABLE || type == VariableType.CONSTANT) {
            INDArray value = graph.getArrForVarName(name);
            if (value != null && !rowMajor(value.shape(), value.ordering())) {
                throw new NotReplayable(type.name().toLowerCase(java.util.Locale.ROOT) + " '" + name
                        + "' is column-major; replay runs row-major arrays only (make it with dup('c'))");
            }
            s = type == VariableType.VARIABLE ? new Variable(name) : new Fixed(value);
        } else {
            throw new NotReplayable("input '" + name + "' (" + type + ") was computed before the traced ops ran");
        }
        sources.put(name, s);
        return s;
    }

    /**
     * Whether an array of this shape and order flag lies in row-major order (a vector's flag says nothing).
     * Why replay insists: with a column-major weight the traced execution wrote one product's output
     * column-major, and the program replaying that layout missed SameDiff's later executions (and plain ND4J's
     * products) in the last bits — a review found the float gradient of a weight used four times differing
     * in every evaluation. DL4J
     * networks' translations are row-major throughout; a graph that is not stays on SameDiff.
     */
    private static boolean rowMajor(long[] shape, char ordering) {
        if (ordering == 'c') {
            return true;
        }
        int longDims = 0;
        for (long size : shape) {
            longDims += size > 1 ? 1 : 0;
        }
        return longDims <= 1;
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

    private static ReplayStep prepare(DifferentialFunction op, String[] argNames, StepInput[] inputs, INDArray[] outputs,
                                SameDiff graph) throws NotReplayable {
        OpContext context = Nd4j.getExecutioner().buildContext();
        StepInput scalarInput = null;
        StepInput[] bound = inputs;
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
            bound = new StepInput[] {inputs[0]};
        } else if (op instanceof ScalarOp && argNames.length == 2) {
            scalarInput = inputs[1];
            bound = new StepInput[] {inputs[0]};
        } else if (argNames.length > 2) {
            throw new NotReplayable("legacy op " + op.getOwnName() + " has " + argNames.length + " inputs");
        }
        context.setOutputArrays(outputs);
        return new ReplayStep(op, bound, context, scalarInput);
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
        boolean direct = DirectCustomOps.active();
        for (ReplayStep step : steps) {
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
                DirectCustomOps.run(custom, step.context, direct);
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

    /**
     * Whether each of these requested outputs is an array of the program's own (not a variable, placeholder
     * or constant passed through), no two of them the same array: arrays a caller may update in place.
     */
    public boolean ownsDistinctOutputs(Collection<String> names) {
        Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String name : names) {
            if (!(outputs.get(name) instanceof Buffer b) || !seen.add(b.array())) {
                return false;
            }
        }
        return true;
    }

    private INDArray resolve(StepInput s) {
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

    /** How many traced {@code add}s run as their matrix product adding itself (see {@link ProductAccumulation}). */
    public int productsAddingThemselves() {
        return productsAddingThemselves;
    }

    /** How many {@code add_bp} bias gradients run as a product with a row of ones (see {@link BiasGradientProduct}). */
    public int biasGradientProducts() {
        return biasGradientProducts;
    }

    /**
     * How many {@code gradientOp} ops ({@code matmul_bp} or {@code multiply_bp}) run as a single product,
     * because one of their two gradients is never read.
     */
    public int singleFactorGradients(String gradientOp) {
        return (int) steps.stream().filter(s -> gradientOp.equals(s.prunedFrom)).count();
    }
}
