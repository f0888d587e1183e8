package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * A noise-conditional score network (inputs x̃ and σ; dense → FiLM(σ) → dense → ÷σ) trained with DL4J's own
 * {@code fit(MultiDataSet)} by NCSN's denoising score matching: target −z/σ for x̃ = x + σz, and the σ²
 * weighting of Song and Ermon (2019) given as a per-example labels mask (DL4J's MSE multiplies by it). The
 * weighted loss is then ‖σ·s(x̃, σ) + z‖²/D, about 1 for s = 0. For Gaussian data x ~ N(0, Σ) the best score
 * is the noised density's, −(Σ + σ²I)⁻¹x̃, whose loss on the evaluation batch is computed exactly. 300 steps
 * of Adam (the last 100 at a quarter of the step size) must close most (85%) of the gap between the zero score
 * and that optimum. The gap is measured from the zero score, not from the untrained network, because the
 * untrained network's loss depends on its initialisation (0.90 to 1.78 over 16 seeds) and a gap measured from
 * it would make the bar depend on the draw.
 */
class ConditionalTrainingTest {
    /** A square root of Σ: x = COV_FACTOR·(a, b) for standard normal a, b. */
    private static final double[][] COV_FACTOR = {{Math.sqrt(2.0), 0}, {0.6 / Math.sqrt(2.0), Math.sqrt(0.82)}};

    /** x̃ = x + σz with x ~ N(0, Σ), Σ = [[2, .6], [.6, 1]], σ log-uniform in [0.05, 2]. */
    private static MultiDataSet batch(Random rng, int n) {
        double[][] noisy = new double[n][2];
        double[][] target = new double[n][2];
        double[] sigma = new double[n];
        double[] weight = new double[n];
        for (int i = 0; i < n; i++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            double[] clean = {COV_FACTOR[0][0] * a, COV_FACTOR[1][0] * a + COV_FACTOR[1][1] * b};
            sigma[i] = Math.exp(Math.log(0.05) + rng.nextDouble() * Math.log(40));
            weight[i] = sigma[i] * sigma[i];
            for (int d = 0; d < 2; d++) {
                double z = rng.nextGaussian();
                noisy[i][d] = clean[d] + sigma[i] * z;
                target[i][d] = -z / sigma[i];
            }
        }
        return new MultiDataSet(
                new INDArray[] {Nd4j.createFromArray(noisy), Nd4j.createFromArray(sigma).reshape(n, 1)},
                new INDArray[] {Nd4j.createFromArray(target)},
                null,
                new INDArray[] {Nd4j.createFromArray(weight).reshape(n, 1)});
    }

    /** The σ²-weighted DSM loss, as DL4J's MSE reports it, of the zero score: the mean of σ²‖target‖²/2. */
    private static double zeroScoreLoss(MultiDataSet eval) {
        double[] sigma = eval.getFeatures(1).reshape(-1).toDoubleVector();
        double[][] target = eval.getLabels(0).toDoubleMatrix();
        double total = 0;
        for (int i = 0; i < target.length; i++) {
            total += sigma[i] * sigma[i] * (target[i][0] * target[i][0] + target[i][1] * target[i][1]) / 2;
        }
        return total / target.length;
    }

    /** The σ²-weighted DSM loss, as DL4J's MSE reports it, of the exact score −(Σ + σ²I)⁻¹x̃. */
    private static double optimalLoss(MultiDataSet eval) {
        double[][] noisy = eval.getFeatures(0).toDoubleMatrix();
        double[] sigma = eval.getFeatures(1).reshape(-1).toDoubleVector();
        double[][] target = eval.getLabels(0).toDoubleMatrix();
        double total = 0;
        for (int i = 0; i < noisy.length; i++) {
            double s2 = sigma[i] * sigma[i];
            double a = 2 + s2;                                   // Σ + σ²I = [[a, c], [c, d]]
            double c = 0.6;
            double d = 1 + s2;
            double det = a * d - c * c;
            double score0 = -(d * noisy[i][0] - c * noisy[i][1]) / det;
            double score1 = -(-c * noisy[i][0] + a * noisy[i][1]) / det;
            double r0 = score0 - target[i][0];
            double r1 = score1 - target[i][1];
            total += s2 * (r0 * r0 + r1 * r1) / 2;
        }
        return total / noisy.length;
    }

    @Test
    void fitOnMultiDataSetsLearnsTheNoisedScore() {
        // 2e-2 for 200 steps, then 5e-3 so that the last step's minibatch moves the weights less.
        Adam adam = new Adam(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 2e-2, 200, 5e-3)));
        ComputationGraph net = new ComputationGraph(ConditionalGraphs.mlp(2, 16, adam));
        net.init();
        Random rng = new Random(17);
        MultiDataSet eval = batch(rng, 1000);
        double zero = zeroScoreLoss(eval);
        double best = optimalLoss(eval);
        for (int step = 0; step < 300; step++) {
            net.fit(batch(rng, 128));
        }
        double after = net.score(eval);
        // Measured over 16 initialisation and data seeds: 93% to 99% of the gap closed (mean 96%, sd 1.7%; the
        // rest is the small network's bias and the minibatch noise of the last steps). 85% is five standard
        // deviations below the mean, so another CPU's rounding, which sends Adam down another path, stays above
        // it. This test is not the guard against wrong vertex gradients (the small network learns much of the
        // score after the vertex alone); ConditionalVerticesGradientTest is.
        assertTrue(after - best < 0.15 * (zero - best), "the σ²-weighted DSM loss is " + after
                + " after training; the zero score's is " + zero + " and the exact score's " + best);
        assertTrue(net.paramTable().get("film_gammaW").norm2Number().doubleValue() > 0, "FiLM learned");
    }
}
