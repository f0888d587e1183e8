package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small models with known structure, built in SameDiff for the objective tests. */
final class TestModels {
    private TestModels() {
    }

    static INDArray randn(long seed, DataType type, long... shape) {
        Random r = new Random(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.create(v, shape).castTo(type);
    }

    /** s(x) = x ⊙ x, no weights. */
    static ScoreFunction squareScore(int d) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, d);
        return ScoreFunction.ofScore(x, x.mul(x));
    }

    /** E(x) = ½‖x‖², no weights. */
    static ScoreFunction halfSquaredNormEnergy(int d) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, d);
        return ScoreFunction.ofEnergy(x, x.mul(x).sum(1).mul(0.5));
    }

    /** s(x) = x·Wᵀ + b, i.e. s = Wx + b per example (row) with Jacobian W. */
    static ScoreFunction linearScore(INDArray w, INDArray b) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", w.dataType(), -1, w.size(0));
        SDVariable wv = sd.var("W", w.dup());
        SDVariable bv = sd.var("b", b.dup());
        return ScoreFunction.ofScore(x, sd.mmul(x, wv, false, true, false).add(bv));
    }

    /** A tanh MLP score network D → H → D with random weights. */
    static ScoreFunction tanhMlpScore(int d, int h, long seed, DataType type) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", type, -1, d);
        SDVariable w1 = sd.var("W1", randn(seed, type, d, h).muli(0.7));
        SDVariable b1 = sd.var("b1", randn(seed + 1, type, h).muli(0.3));
        SDVariable w2 = sd.var("W2", randn(seed + 2, type, h, d).muli(0.7));
        SDVariable b2 = sd.var("b2", randn(seed + 3, type, d).muli(0.3));
        SDVariable hidden = sd.math().tanh(x.mmul(w1).add(b1));
        return ScoreFunction.ofScore(x, hidden.mmul(w2).add(b2));
    }

    /** E(x) = aᵀ softplus(Wx + c) + ½‖x‖² (energy form), with random W, c, a. */
    static ScoreFunction softplusEnergy(int d, int h, long seed) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, d);
        SDVariable[] p = softplusParams(sd, d, h, seed);
        SDVariable pre = x.mmul(p[0]).add(p[1]);
        SDVariable e = sd.nn().softplus(pre).mmul(p[2]).reshape(-1).add(x.mul(x).sum(1).mul(0.5));
        return ScoreFunction.ofEnergy(x, e);
    }

    /** The same function as {@link #softplusEnergy}, as a score network written out: −(W(a ⊙ σ(Wx + c)) + x). */
    static ScoreFunction softplusEnergyAsScore(int d, int h, long seed) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, d);
        SDVariable[] p = softplusParams(sd, d, h, seed);
        SDVariable gate = sd.nn().sigmoid(x.mmul(p[0]).add(p[1]));
        SDVariable a = p[2].reshape(1, h);
        SDVariable grad = sd.mmul(gate.mul(a), p[0], false, true, false).add(x);
        return ScoreFunction.ofScore(x, grad.neg());
    }

    private static SDVariable[] softplusParams(SameDiff sd, int d, int h, long seed) {
        return new SDVariable[] {
            sd.var("W", randn(seed, DataType.DOUBLE, d, h).muli(0.8)),
            sd.var("c", randn(seed + 1, DataType.DOUBLE, h).muli(0.5)),
            sd.var("a", randn(seed + 2, DataType.DOUBLE, h, 1).muli(0.8))};
    }
}
