package io.github.ssm4j.objective.internal;

import io.github.ssm4j.objective.internal.OpTracer.TracedOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.GradientBackwardsMarker;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code s = add(a, p)} where {@code p} is a matrix product computed after {@code a}: the product is run
 * with β = 1 into {@code a}'s buffer, so that it adds itself, and {@code s} is that buffer.
 *
 * <p>Why: a weight used twice — every layer of the sliced objectives' graphs, once in the forward pass and
 * once in the tangent pass — gets two gradient products that SameDiff sums with an {@code add}; likewise an
 * activation read by two ops. For the 784-wide benchmark network that was four adds over arrays of up to
 * 0.4 M elements per step, each a pass the product itself could have made: BLAS's sgemm reads C anyway when
 * β ≠ 0 (and with β = 0 first zeroes it, one more pass).
 *
 * <p>With α = 1 (gradients) the sum is the same arithmetic — {@code round(a + Σ)} for the product's
 * rounded sum Σ either way, and addition commutes — only when BLAS accumulates the product in one pass over
 * its inner dimension; a BLAS that blocks a long inner dimension (OpenBLAS does past a few hundred) adds
 * {@code a} to the first block's partial sum instead, which changes the last bits. So every product shape is
 * probed once per JVM ({@link #backendAgrees}, {@link BlasRoundingProbe}): both ways on random inputs of
 * that shape, over enough trials that at least 8,192 output elements are compared, and the product
 * accumulates only if every one is equal bit for bit. Where it is not, the {@code add} runs as traced, in
 * place in {@code a}'s buffer, and replay stays SameDiff's bit for bit.
 * {@code -Dssm4j.replay.accumulate=false} (read when a program is compiled) runs every such add that way.
 */
final class ProductAccumulation {
    /** {@code sum = add(accumulator, product)}: the trace index of the add, its accumulator and its sum. */
    record Plan(int addIndex, String accumulator, String sum) {
    }

    /**
     * What a probe compares: one product's shapes and element orders, its flags, the accumulator's layout,
     * and the thread count (a BLAS may split work differently with more threads).
     */
    private record Key(DataType type, List<Long> a, char aOrder, List<Long> b, char bOrder, List<Long> out, char order,
                       List<Long> flags, int threads) {
    }

    private static final Map<Key, Boolean> AGREES = new ConcurrentHashMap<>();

    private ProductAccumulation() {
    }

    /**
     * The traced adds whose second operand can be accumulated by the product that computes it, keyed by the
     * product's output name. {@code reads} gives what the op at a trace index reads when replayed
     * (after other rewrites); {@code requested} outputs are never folded away.
     */
    static Map<String, Plan> plan(List<TracedOp> trace, List<String> requested, IntFunction<String[]> reads) {
        Map<String, String> alias = new HashMap<>();
        Map<String, Integer> producer = new HashMap<>();   // op output → trace index of the op that wrote it
        Map<String, Integer> readCount = new HashMap<>();
        for (int index = 0; index < trace.size(); index++) {
            DifferentialFunction op = trace.get(index).op().getOp();
            List<String> outs = trace.get(index).op().getOutputsOfOp();
            String[] args = reads.apply(index);
            for (String a : args) {
                readCount.merge(alias.getOrDefault(a, a), 1, Integer::sum);
            }
            if (op instanceof Identity) {
                alias.put(outs.get(0), alias.getOrDefault(args[0], args[0]));
            } else if (!(op instanceof GradientBackwardsMarker)) {
                for (String o : outs) {
                    producer.put(o, index);
                }
            }
        }
        Set<String> kept = new HashSet<>();
        requested.forEach(r -> kept.add(alias.getOrDefault(r, r)));
        Map<String, Plan> plans = new HashMap<>();
        for (int index = 0; index < trace.size(); index++) {
            TracedOp traced = trace.get(index);
            if (!(traced.op().getOp() instanceof AddOp) || traced.outputs().size() != 1) {
                continue;
            }
            String[] args = reads.apply(index);
            if (args.length != 2) {
                continue;
            }
            String first = alias.getOrDefault(args[0], args[0]);
            String second = alias.getOrDefault(args[1], args[1]);
            String sum = traced.op().getOutputsOfOp().get(0);
            for (String[] pair : new String[][] {{first, second}, {second, first}}) {
                String accumulator = pair[0];
                String product = pair[1];
                Integer accumulatorAt = producer.get(accumulator);
                Integer productAt = producer.get(product);
                if (accumulatorAt == null || productAt == null || accumulator.equals(product)
                        || accumulatorAt >= productAt || kept.contains(accumulator) || kept.contains(product)
                        || readCount.getOrDefault(accumulator, 0) != 1 || readCount.getOrDefault(product, 0) != 1
                        || !isProduct(trace.get(productAt).op().getOp())
                        || !sameLayout(trace.get(accumulatorAt), accumulator, trace.get(productAt), product, traced)) {
                    continue;
                }
                plans.put(product, new Plan(index, accumulator, sum));
                break;
            }
        }
        return plans;
    }

    private static boolean isProduct(DifferentialFunction op) {
        return op instanceof Mmul || op instanceof MmulBp;
    }

    /** Accumulator, product and sum have one shape, type and ordering: a plain, not broadcast, add. */
    private static boolean sameLayout(TracedOp accumulatorOp, String accumulator, TracedOp productOp, String product,
                                      TracedOp add) {
        OpTracer.ArrayShape a = outputShape(accumulatorOp, accumulator);
        OpTracer.ArrayShape p = outputShape(productOp, product);
        OpTracer.ArrayShape s = add.outputs().get(0);
        return a != null && p != null && s != null && !a.empty() && same(a, p) && same(a, s);
    }

    private static OpTracer.ArrayShape outputShape(TracedOp op, String name) {
        int slot = op.op().getOutputsOfOp().indexOf(name);
        return slot < 0 ? null : op.outputs().get(slot);
    }

    private static boolean same(OpTracer.ArrayShape a, OpTracer.ArrayShape b) {
        return a.dataType() == b.dataType() && a.ordering() == b.ordering() && Arrays.equals(a.shape(), b.shape());
    }

    /**
     * The products of traced op {@code op} (a rank-2 {@code matmul} or {@code matmul_bp}; by output slot) that
     * can add themselves into {@code targets}' buffers, as planned: traced with β = 0, and the backend
     * agrees for their shape. Empty for any other op.
     */
    static Map<Integer, CheaperSteps.MatmulCall> accumulating(DifferentialFunction op, StepInput[] inputs,
                                                              int[] outputRanks, Map<Integer, INDArray> targets,
                                                              SameDiff graph) {
        CheaperSteps.MatmulCall[] calls = products(op, inputs, outputRanks);
        Map<Integer, CheaperSteps.MatmulCall> agreed = new HashMap<>();
        if (calls == null || "false".equalsIgnoreCase(System.getProperty("ssm4j.replay.accumulate"))) {
            return agreed;
        }
        targets.forEach((slot, target) -> {
            CheaperSteps.MatmulCall call = calls[slot];
            if (call.beta() == 0.0 && backendAgrees(call.factors()[0].array(graph), call.factors()[1].array(graph),
                    target, call.flags(), call.alpha())) {
                agreed.put(slot, call);
            }
        });
        return agreed;
    }

    /**
     * The steps for a product op some of whose outputs accumulate ({@code accumulating}, into
     * {@code outputs[slot]}, the accumulator's buffer): one matmul per output that is read.
     */
    static List<ReplayStep> steps(DifferentialFunction op, StepInput[] inputs, INDArray[] outputs, List<String> outNames,
                                  Map<String, Integer> lastUse, Map<Integer, CheaperSteps.MatmulCall> accumulating,
                                  String label) {
        CheaperSteps.MatmulCall[] calls = products(op, inputs, CheaperSteps.ranks(outputs));
        List<ReplayStep> steps = new ArrayList<>();
        int read = 0;
        for (int slot = 0; slot < calls.length; slot++) {
            read += lastUse.containsKey(outNames.get(slot)) ? 1 : 0;
        }
        String prunedFrom = op instanceof MmulBp && read == 1 ? "matmul_bp" : null;
        for (int slot = 0; slot < calls.length; slot++) {
            CheaperSteps.MatmulCall call = calls[slot];
            ReplayStep step = null;
            if (accumulating.containsKey(slot)) {
                step = new CheaperSteps.MatmulCall(call.factors(), call.flags(), call.alpha(), 1.0)
                        .into(outputs[slot], prunedFrom);
                step.label = "matmul (from " + op.opName() + ", output " + slot + " adding itself into its sum) " + label;
            } else if (lastUse.containsKey(outNames.get(slot))) {
                step = call.into(outputs[slot], prunedFrom);
                step.label = "matmul (from " + op.opName() + ", output " + slot + ") " + label;
            }
            if (step != null) {
                steps.add(step);
            }
        }
        return steps;
    }

    private static CheaperSteps.MatmulCall[] products(DifferentialFunction op, StepInput[] inputs, int[] outputRanks) {
        if (op instanceof MmulBp) {
            return CheaperSteps.matmulBpProducts(op, inputs, outputRanks);
        }
        CheaperSteps.MatmulCall call = CheaperSteps.matmulProduct(op, inputs, outputRanks);
        return call == null ? null : new CheaperSteps.MatmulCall[] {call};
    }

    /**
     * Whether {@code matmul(a, b)} with β = 1 into an array shaped as {@code accumulator} equals
     * {@code add(accumulator, matmul(a, b))} bit for bit on this backend (probed once per shape; see the
     * class comment). Only α = 1 (what gradients use) and factors and accumulator that lie contiguously in
     * their own element order are considered.
     */
    static boolean backendAgrees(INDArray a, INDArray b, INDArray accumulator, long[] flags, double alpha) {
        if (a == null || b == null || alpha != 1.0 || a.dataType() != b.dataType()
                || a.dataType() != accumulator.dataType() || !a.dataType().isFPType()
                || !BlasRoundingProbe.contiguous(a) || !BlasRoundingProbe.contiguous(b)
                || !BlasRoundingProbe.contiguous(accumulator)) {
            return false;
        }
        Key key = new Key(a.dataType(), boxed(a.shape()), a.ordering(), boxed(b.shape()), b.ordering(),
                boxed(accumulator.shape()), accumulator.ordering(), boxed(flags), Nd4j.getEnvironment().maxThreads());
        return AGREES.computeIfAbsent(key, ProductAccumulation::probe);
    }

    private static boolean probe(Key key) {
        Random random = new Random(20261129L);
        long[] flags = key.flags().stream().mapToLong(Long::longValue).toArray();
        long[] outShape = unboxed(key.out());
        for (int t = BlasRoundingProbe.trials(Arrays.stream(outShape).reduce(1, (p, q) -> p * q)); t > 0; t--) {
            INDArray a = BlasRoundingProbe.randomArray(key.type(), unboxed(key.a()), key.aOrder(), random);
            INDArray b = BlasRoundingProbe.randomArray(key.type(), unboxed(key.b()), key.bOrder(), random);
            INDArray start = BlasRoundingProbe.randomArray(key.type(), outShape, key.order(), random);
            INDArray product = start.ulike();
            BlasRoundingProbe.matmul(a, b, product, flags, 1.0, 0.0);
            INDArray separate = Nd4j.exec(new AddOp(start, product, start.ulike()))[0];
            INDArray accumulated = start.dup(key.order());
            BlasRoundingProbe.matmul(a, b, accumulated, flags, 1.0, 1.0);
            if (!BlasRoundingProbe.sameBits(separate, accumulated)) {
                return false;
            }
        }
        return true;
    }

    private static long[] unboxed(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
