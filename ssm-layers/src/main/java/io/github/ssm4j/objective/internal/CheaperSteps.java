package io.github.ssm4j.objective.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cheaper steps for traced ops that compute more than the program needs, each giving the traced op's
 * results bit for bit (ReplayEquivalenceTest, TanhDerivativeReuseTest):
 * <ul>
 *   <li>{@code matmul_bp} and {@code multiply_bp} with one of their two gradients never read run just the
 *       product that is read;</li>
 *   <li>{@code tanh_bp} reads the forward pass's tanh instead of evaluating it again
 *       ({@link TanhDerivativeReuse}).</li>
 * </ul>
 * Two more rewrites have classes of their own: {@link ProductAccumulation} and {@link BiasGradientProduct}.
 * Each method returns null (or is not called) where its condition does not hold, and the traced op runs as
 * traced.
 */
final class CheaperSteps {
    private CheaperSteps() {
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
    static ReplayStep matmulGradientForOneInput(DifferentialFunction op, StepInput[] inputs, INDArray[] outputs,
                                                  List<String> outNames, Map<String, Integer> lastUse) {
        MatmulCall[] products = matmulBpProducts(op, inputs, ranks(outputs));
        if (products == null) {
            return null;
        }
        boolean firstRead = lastUse.containsKey(outNames.get(0));
        boolean secondRead = lastUse.containsKey(outNames.get(1));
        if (firstRead == secondRead) {
            return null;
        }
        int read = firstRead ? 0 : 1;
        return products[read].into(outputs[read], "matmul_bp");
    }

    /** One call of libnd4j's {@code matmul}: its two factors, transpose flags (x, y, z) and α, β. */
    record MatmulCall(StepInput[] factors, long[] flags, double alpha, double beta) {
        /** The call as a step writing {@code out}; {@code prunedFrom} names the gradient op it stands for, or null. */
        ReplayStep into(INDArray out, String prunedFrom) {
            OpContext context = Nd4j.getExecutioner().buildContext();
            context.setIArguments(flags);
            context.setTArguments(alpha, beta);
            context.setOutputArrays(out);
            return new ReplayStep(new Mmul(), factors, context, null, prunedFrom);
        }
    }

    /**
     * The two products a rank-2 {@code matmul_bp} makes — for dL/dx and for dL/dy, in that order — as the
     * libnd4j {@code matmul} calls it makes itself; null for batched products and a scalar eps (matmul_bp's
     * special case).
     */
    static MatmulCall[] matmulBpProducts(DifferentialFunction op, StepInput[] inputs, int[] outputRanks) {
        if (!(op instanceof MmulBp bp) || inputs.length != 3 || outputRanks.length != 2
                || outputRanks[0] != 2 || outputRanks[1] != 2
                || !(inputs[2] instanceof StepInput.Buffer eps && eps.array().rank() == 2)) {
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
        return new MatmulCall[] {
            new MatmulCall(new StepInput[] {inputs[2], inputs[1]}, new long[] {flag(transZ), flag(!transY), flag(transX)},
                    alpha, beta),
            new MatmulCall(new StepInput[] {inputs[0], inputs[2]}, new long[] {flag(!transX), flag(transZ), flag(transY)},
                    alpha, beta)};
    }

    /** A traced rank-2 {@code matmul} as the one call it is; null for batched products. */
    static MatmulCall matmulProduct(DifferentialFunction op, StepInput[] inputs, int[] outputRanks) {
        if (!(op instanceof Mmul mmul) || inputs.length != 2 || outputRanks.length != 1 || outputRanks[0] != 2) {
            return null;
        }
        long[] i = mmul.iArgs();
        double[] t = mmul.tArgs();
        long[] flags = {i.length > 0 ? i[0] : 0, i.length > 1 ? i[1] : 0, i.length > 2 ? i[2] : 0};
        return new MatmulCall(inputs, flags, t.length > 0 ? t[0] : 1.0, t.length > 1 ? t[1] : 0.0);
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
    static ReplayStep multiplyGradientForOneInput(DifferentialFunction op, StepInput[] inputs, INDArray[] outputs,
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
        return new ReplayStep(new MulOp(), new StepInput[] {inputs[2], inputs[1 - read]}, context, null, "multiply_bp");
    }

    /**
     * The steps that replace a {@code tanh_bp(x, g)} (see {@link TanhDerivativeReuse}), reading {@code inputs}
     * in the order {@link TanhDerivativeReuse.Rewrite#reads()} gives: {@code g ⊙ d} as one multiply, or
     * {@code y·y}, {@code 1 − ·}, {@code g ⊙ ·} in place in {@code out} — the sequence the backend probe ran.
     */
    static List<ReplayStep> tanhDerivativeFromForward(TanhDerivativeReuse.Rewrite rewrite, StepInput[] inputs,
                                                        INDArray out) {
        StepInput gradient = inputs[0];
        if (rewrite.derivative() != null) {
            return List.of(multiply(gradient, inputs[1], out));
        }
        StepInput y = inputs[1];
        StepInput.Buffer buffer = new StepInput.Buffer(out);
        OpContext oneMinus = Nd4j.getExecutioner().buildContext();
        oneMinus.setOutputArrays(out);
        ReplayStep square = multiply(y, y, out);
        ReplayStep complement = new ReplayStep(new ScalarReverseSubtraction(out, out, 1.0), new StepInput[] {buffer}, oneMinus, null);
        ReplayStep times = multiply(gradient, buffer, out);
        return List.of(square, complement, times);
    }

    static ReplayStep multiply(StepInput a, StepInput b, INDArray out) {
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setOutputArrays(out);
        return new ReplayStep(new MulOp(), new StepInput[] {a, b}, context, null);
    }

    static int[] ranks(INDArray[] arrays) {
        return java.util.Arrays.stream(arrays).mapToInt(INDArray::rank).toArray();
    }

    private static long flag(boolean b) {
        return b ? 1 : 0;
    }
}
