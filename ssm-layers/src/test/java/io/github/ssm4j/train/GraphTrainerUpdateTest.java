package io.github.ssm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * GraphTrainer's weight update against Adam's recurrence written out by hand in doubles: over three steps,
 * each variable moves by α_t·m_t/(√v_t + ε) with m, v the running moments of the gradients the steps
 * returned and α_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) — so the updater sees each step's gradient exactly once, its
 * state carries over, and the update buffer it works in (kept between steps) never leaks one step's update
 * into the next. The returned gradients are the objective's at the weights before the step (checked against
 * a separate evaluation with the same draws).
 */
class GraphTrainerUpdateTest {
    private static final double LR = 0.05;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    @Test
    void threeStepsFollowAdamsRecurrence() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w1 = sd.var("W1", Nd4j.randn(DataType.DOUBLE, 3, 5).muli(0.5));
        SDVariable w2 = sd.var("W2", Nd4j.randn(DataType.DOUBLE, 5, 3).muli(0.5));
        SDVariable score = sd.math.tanh(x.mmul(w1)).mmul(w2);
        ObjectiveGraph graph = SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN)
                .attach(ScoreFunction.ofScore(x, score));
        GraphTrainer trainer = GraphTrainer.builder(graph)
                .updater(new Adam(LR, BETA1, BETA2, EPSILON)).seed(3).build();

        Map<String, double[]> weights = new HashMap<>();
        Map<String, double[]> m = new HashMap<>();
        Map<String, double[]> v = new HashMap<>();
        for (String name : new String[] {"W1", "W2"}) {
            weights.put(name, sd.getArrForVarName(name).dup().data().asDouble());
            m.put(name, new double[weights.get(name).length]);
            v.put(name, new double[weights.get(name).length]);
        }
        for (int t = 1; t <= 3; t++) {
            INDArray batch = Nd4j.randn(DataType.DOUBLE, 16, 3);
            RandomDraws draws = graph.draw(batch, new java.util.SplittableRandom(t));
            ObjectiveEvaluation before = graph.evaluate(batch, null, draws, true);
            ObjectiveEvaluation step = trainer.step(batch, draws);
            double alpha = LR * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
            for (String name : weights.keySet()) {
                double[] g = step.gradient(name).dup('c').data().asDouble();
                double[] reference = before.gradient(name).dup('c').data().asDouble();
                double[] w = weights.get(name);
                double[] mt = m.get(name);
                double[] vt = v.get(name);
                double[] now = sd.getArrForVarName(name).dup('c').data().asDouble();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(reference[i], g[i], 1e-12, "step " + t + " " + name + "[" + i + "]: returned gradient");
                    mt[i] = BETA1 * mt[i] + (1 - BETA1) * g[i];
                    vt[i] = BETA2 * vt[i] + (1 - BETA2) * g[i] * g[i];
                    w[i] -= alpha * mt[i] / (Math.sqrt(vt[i]) + EPSILON);
                    // float64 throughout; the bound covers the updater's different order of operations
                    assertEquals(w[i], now[i], 1e-12 + 1e-10 * Math.abs(w[i]), "step " + t + " " + name + "[" + i + "]");
                }
            }
        }
    }
}
