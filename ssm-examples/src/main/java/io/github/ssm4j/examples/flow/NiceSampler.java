package io.github.ssm4j.examples.flow;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact samples from a {@link NiceFlow}: z ~ N(0, I), then the flow run backwards — h = z ⊙ exp(−s), the
 * couplings undone in reverse order (b ← b − m_k(a) and so on), the even/odd split undone. Reads the
 * network's current parameters; computed in float64.
 */
public final class NiceSampler {
    private NiceSampler() {
    }

    /** {@code n} samples, [n, D], from {@code seed}. */
    public static INDArray sample(ComputationGraph flow, int n, long seed) {
        long d = flow.getLayer(NiceFlow.ENERGY).getParam(NiceEnergyLayer.LOG_SCALE).length();
        SplittableRandom rng = new SplittableRandom(seed);
        double[] z = new double[Math.toIntExact(n * d)];
        for (int i = 0; i < z.length; i++) {
            z[i] = rng.nextGaussian();
        }
        return inverse(flow, Nd4j.create(z, new long[] {n, d}));
    }

    /** The input x whose latent (after scaling) is {@code z}: the exact inverse of the flow, float64. */
    public static INDArray inverse(ComputationGraph flow, INDArray z) {
        INDArray s = flow.getLayer(NiceFlow.ENERGY).getParam(NiceEnergyLayer.LOG_SCALE).castTo(DataType.DOUBLE);
        INDArray h = z.castTo(DataType.DOUBLE).mulRowVector(Transforms.exp(s.neg(), true));
        long half = h.size(1) / 2;
        INDArray a = h.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)).dup();
        INDArray b = h.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half)).dup();
        int couplings = countCouplings(flow);
        int depth = countDepth(flow);
        for (int k = couplings; k >= 1; k--) {
            if (NiceFlow.updatesSecondHalf(k)) {
                b.subi(mlp(flow, k, depth, a));
            } else {
                a.subi(mlp(flow, k, depth, b));
            }
        }
        INDArray x = Nd4j.create(DataType.DOUBLE, h.size(0), 2 * half);
        for (int i = 0; i < half; i++) {
            x.putColumn(2 * i, a.getColumn(i));
            x.putColumn(2 * i + 1, b.getColumn(i));
        }
        return x;
    }

    private static INDArray mlp(ComputationGraph flow, int k, int depth, INDArray in) {
        INDArray h = in;
        for (int i = 0; i <= depth; i++) {
            var layer = flow.getLayer(NiceFlow.mlpLayer(k, i));
            INDArray w = layer.getParam("W").castTo(DataType.DOUBLE);
            INDArray bias = layer.getParam("b").castTo(DataType.DOUBLE);
            h = h.mmul(w).addiRowVector(bias);
            if (i < depth) {
                h = Transforms.softPlus(h, false);
            }
        }
        return h;
    }

    private static int countCouplings(ComputationGraph flow) {
        int k = 0;
        while (flow.getConfiguration().getVertices().containsKey(NiceFlow.mlpLayer(k + 1, 0))) {
            k++;
        }
        return k;
    }

    private static int countDepth(ComputationGraph flow) {
        int i = 0;
        while (flow.getConfiguration().getVertices().containsKey(NiceFlow.mlpLayer(1, i + 1))) {
            i++;
        }
        return i;
    }
}
