package io.github.ssm4j.objective.internal;

import io.github.ssm4j.objective.internal.OpTracer.TracedOp;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code tanh_bp(x, g) = g ⊙ (1 − tanh(x)²)} from the forward pass's own {@code y = tanh(x)}.
 *
 * <p>libnd4j's {@code tanh_bp} evaluates tanh again: on the generic x86-64 build ≈ 150 µs for a [128, 128]
 * array, the most expensive elementwise op of a small SSM-VR step (two of them), while the forward pass
 * already holds {@code y = tanh(x)} and, where a tangent rule ran (SSM, SSM-VR and ISM; DSM and FD-SSM
 * have none), {@code d = 1 − y·y} as well ({@code ElementwiseRules}' tanh rule). Replay then runs
 * <ul>
 *   <li>{@code g ⊙ d}: one multiply, when {@code d} was computed as {@code rsub_scalar(multiply(y, y), 1)};</li>
 *   <li>{@code y·y}, {@code 1 − ·}, {@code g ⊙ ·}: three elementwise ops into the output buffer, when only
 *       {@code y} is at hand (DSM, plain backprop).</li>
 * </ul>
 *
 * <p>These are the float operations of libnd4j's tanh_bp kernel, in its order — as long as the kernel is
 * not compiled with fused multiply-adds, which depends on the native build (the generic build is not; the
 * AVX2 builds contract {@code 1 − t·t} into one FMA and differ in the last bit). So each data type is
 * probed once per JVM ({@link #backendAgrees}): tanh_bp and both replacements run on the same 4,096
 * arguments, and the replacements are used only if every result is equal bit for bit. Elsewhere tanh_bp
 * stays, and replay remains SameDiff's bit for bit on every build.
 */
public final class TanhDerivativeReuse {
    /**
     * Run the traced {@code tanh_bp} as {@code gradient ⊙ derivative} (one multiply) when
     * {@code derivative} is non-null, else as {@code gradient ⊙ (1 − output·output)}.
     */
    record Rewrite(String gradient, String output, String derivative) {
        /** The graph names the replacement reads (for liveness). */
        String[] reads() {
            return derivative != null ? new String[] {gradient, derivative} : new String[] {gradient, output};
        }
    }

    private static final Map<DataType, Boolean> AGREES = new ConcurrentHashMap<>();

    private TanhDerivativeReuse() {
    }

    /** The traced {@code tanh_bp} ops (by trace index) that can read the forward pass instead. */
    static Map<Integer, Rewrite> plan(List<TracedOp> trace, Predicate<DataType> backendAgrees) {
        Map<String, String> alias = new HashMap<>();
        Map<String, String> tanhOfInput = new HashMap<>();   // x → y = tanh(x)
        Set<String> tanhOutputs = new HashSet<>();
        Map<String, String> squareOfTanh = new HashMap<>();  // y·y → y
        Map<String, String> derivativeOfTanh = new HashMap<>(); // y → 1 − y·y
        Map<Integer, Rewrite> rewrites = new HashMap<>();
        for (int index = 0; index < trace.size(); index++) {
            TracedOp traced = trace.get(index);
            DifferentialFunction op = traced.op().getOp();
            String[] args = op.argNames() == null ? new String[0] : op.argNames();
            List<String> outs = traced.op().getOutputsOfOp();
            if (op instanceof Identity) {
                alias.put(outs.get(0), alias.getOrDefault(args[0], args[0]));
            } else if (op instanceof Tanh && args.length == 1) {
                tanhOfInput.putIfAbsent(alias.getOrDefault(args[0], args[0]), outs.get(0));
                tanhOutputs.add(outs.get(0));
            } else if (op instanceof MulOp && args.length == 2) {
                String a = alias.getOrDefault(args[0], args[0]);
                if (a.equals(alias.getOrDefault(args[1], args[1])) && tanhOutputs.contains(a)) {
                    squareOfTanh.put(outs.get(0), a);
                }
            } else if (op instanceof ScalarReverseSubtraction && args.length == 1 && isOne((ScalarOp) op)) {
                String y = squareOfTanh.get(alias.getOrDefault(args[0], args[0]));
                if (y != null) {
                    derivativeOfTanh.putIfAbsent(y, outs.get(0));
                }
            } else if (op instanceof TanhDerivative && args.length == 2 && outs.size() == 1) {
                String y = tanhOfInput.get(alias.getOrDefault(args[0], args[0]));
                DataType type = traced.outputs().get(0) == null ? null : traced.outputs().get(0).dataType();
                if (y != null && type != null && type.isFPType() && backendAgrees.test(type)) {
                    rewrites.put(index, new Rewrite(args[1], y, derivativeOfTanh.get(y)));
                }
            }
        }
        return rewrites;
    }

    private static boolean isOne(ScalarOp op) {
        INDArray s = op.scalar();
        return s != null && s.length() == 1 && s.getDouble(0) == 1.0;
    }

    /**
     * Whether this native build's {@code tanh_bp} equals both replacements bit for bit for {@code type}
     * (probed once per type and JVM; see the class comment).
     */
    public static boolean backendAgrees(DataType type) {
        return AGREES.computeIfAbsent(type, TanhDerivativeReuse::probe);
    }

    private static boolean probe(DataType type) {
        int n = 4096;
        Random random = new Random(20261128L);
        double[] xs = new double[n];
        double[] gs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = (random.nextDouble() * 2 - 1) * (i % 4 == 0 ? 12 : 2.5); // saturated and central arguments
            gs[i] = random.nextGaussian();
        }
        INDArray x = Nd4j.createFromArray(xs).castTo(type);
        INDArray g = Nd4j.createFromArray(gs).castTo(type);
        INDArray reference = Nd4j.exec(new TanhDerivative(x, g, x.ulike()))[0];
        INDArray y = Nd4j.exec(new Tanh(x, x.ulike()));
        INDArray d = Nd4j.exec(new ScalarReverseSubtraction(Nd4j.exec(new MulOp(y, y, x.ulike()))[0], x.ulike(), 1.0));
        INDArray fromDerivative = Nd4j.exec(new MulOp(g, d, x.ulike()))[0];
        // the three-op replacement exactly as replay runs it: in place in the output buffer
        INDArray fromOutput = x.ulike();
        Nd4j.exec(new MulOp(y, y, fromOutput));
        Nd4j.exec(new ScalarReverseSubtraction(fromOutput, fromOutput, 1.0));
        Nd4j.exec(new MulOp(g, fromOutput, fromOutput));
        return sameBits(reference, fromDerivative) && sameBits(reference, fromOutput);
    }

    private static boolean sameBits(INDArray a, INDArray b) {
        if (a.dataType() == DataType.DOUBLE) {
            return Arrays.equals(a.data().asDouble(), b.data().asDouble());
        }
        return Arrays.equals(a.castTo(DataType.DOUBLE).data().asDouble(), b.castTo(DataType.DOUBLE).data().asDouble());
    }
}
