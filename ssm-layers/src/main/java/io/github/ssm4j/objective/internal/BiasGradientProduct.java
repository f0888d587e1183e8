package io.github.ssm4j.objective.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code add_bp(x, b, g)} for a bias {@code b} broadcast over the rows of {@code x}: its gradient, the
 * column sums of {@code g}, as the product {@code 1ᵀ·g} of a row of ones and {@code g}.
 *
 * <p>Why: libnd4j sums each column of a row-major {@code g} with one scalar add after another, a strided
 * walk at about 1 ns per element (≈ 100 µs for the benchmark network's [128, 512]), where BLAS's gemm makes the
 * same walk down all columns at once (≈ 15 µs). Each column is still summed top to bottom, one rounding per
 * row — the gemm kernel accumulates along the inner dimension in order, and {@code 1·g} is exact — so the
 * sums are the same bits, as long as BLAS does not split a long inner dimension (batch) into blocks. So, as
 * for {@link ProductAccumulation}, each shape is probed once per JVM against {@code add_bp} itself
 * ({@link BlasRoundingProbe}), and the rewrite is used only where every column sum is equal bit for bit.
 * {@code x}'s gradient, {@code g} itself, is copied as {@code add_bp} copies it.
 */
final class BiasGradientProduct {
    private record Key(DataType type, long rows, long columns, List<Long> biasShape, int threads) {
    }

    private static final Map<Key, Boolean> AGREES = new ConcurrentHashMap<>();

    private BiasGradientProduct() {
    }

    /**
     * The steps replacing traced {@code add_bp} {@code op} (inputs x, b, g; outputs into {@code outputs}),
     * or null where it is not a row-broadcast bias or the backend's product rounds differently.
     */
    static List<ReplayStep> steps(DifferentialFunction op, StepInput[] inputs, INDArray[] outputs, List<String> outNames,
                                  Map<String, Integer> lastUse, SameDiff graph) {
        if (!"add_bp".equals(op.opName()) || inputs.length != 3 || outputs.length != 2
                || "false".equalsIgnoreCase(System.getProperty("ssm4j.replay.biasProduct"))) {
            return null;
        }
        INDArray g = inputs[2].array(graph);
        INDArray dx = outputs[0];
        INDArray db = outputs[1];
        if (g == null || g.rank() != 2 || g.ordering() != 'c' || g.isView() || !g.isR()
                || !BlasRoundingProbe.contiguous(db) || g.dataType() != db.dataType()
                || g.dataType() != dx.dataType() || !Arrays.equals(dx.shape(), g.shape())
                || db.length() != g.size(1) || !(db.rank() == 1 || (db.rank() == 2 && db.size(0) == 1))
                || !db.dataType().isFPType() || g.size(0) < 1) {
            return null;
        }
        if (!backendAgrees(g.dataType(), g.size(0), g.size(1), db.shape())) {
            return null;
        }
        List<ReplayStep> steps = new ArrayList<>();
        if (lastUse.containsKey(outNames.get(0))) {
            OpContext copy = Nd4j.getExecutioner().buildContext();
            copy.setOutputArrays(dx);
            steps.add(new ReplayStep(new Identity(), new StepInput[] {inputs[2]}, copy, null));
        }
        if (lastUse.containsKey(outNames.get(1))) {
            INDArray ones = Nd4j.ones(g.dataType(), 1, g.size(0));
            OpContext product = Nd4j.getExecutioner().buildContext();
            product.setIArguments(0, 0, 0);
            product.setTArguments(1.0, 0.0);
            // [1, n] over db's own memory (db is [n] or [1, n], contiguous): the product writes db
            product.setOutputArrays(Nd4j.create(db.data(), new long[] {1, g.size(1)}, new long[] {g.size(1), 1},
                    db.offset(), 'c'));
            steps.add(new ReplayStep(new Mmul(), new StepInput[] {new StepInput.Fixed(ones), inputs[2]}, product, null));
        }
        return steps;
    }

    /**
     * Whether {@code 1ᵀ·g} equals add_bp's bias gradient bit for bit for this type and shape (probed once,
     * over enough trials that at least {@value BlasRoundingProbe#ELEMENTS} column sums are compared).
     */
    static boolean backendAgrees(DataType type, long rows, long columns, long[] biasShape) {
        Key key = new Key(type, rows, columns, Arrays.stream(biasShape).boxed().toList(),
                Nd4j.getEnvironment().maxThreads());
        return AGREES.computeIfAbsent(key, BiasGradientProduct::probe);
    }

    private static boolean probe(Key key) {
        Random random = new Random(20261129L);
        long[] biasShape = key.biasShape().stream().mapToLong(Long::longValue).toArray();
        INDArray ones = Nd4j.ones(key.type(), 1, key.rows());
        for (int t = BlasRoundingProbe.trials(key.columns()); t > 0; t--) {
            INDArray g = BlasRoundingProbe.randomArray(key.type(), new long[] {key.rows(), key.columns()}, 'c', random);
            INDArray x = g.ulike().assign(1);
            INDArray b = Nd4j.zeros(key.type(), biasShape);
            INDArray dx = x.ulike();
            INDArray db = b.ulike();
            Nd4j.exec(DynamicCustomOp.builder("add_bp").addInputs(x, b, g).addOutputs(dx, db).build());
            INDArray product = Nd4j.create(key.type(), 1, key.columns());
            BlasRoundingProbe.matmul(ones, g, product, new long[] {0, 0, 0}, 1.0, 0.0);
            if (!BlasRoundingProbe.sameBits(db, product)) {
                return false;
            }
        }
        return true;
    }
}
