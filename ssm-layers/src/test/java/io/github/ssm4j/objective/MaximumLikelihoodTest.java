package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link MaximumLikelihood}: the loss is the (weighted) mean energy computed directly from the graph's output,
 * its gradient agrees with central differences in float64, it round-trips through JSON and refuses models
 * that have no likelihood.
 */
class MaximumLikelihoodTest {
    private static final int D = 3;

    private static double[] energies(ScoreFunction model, INDArray x) {
        SameDiff sd = model.sameDiff();
        INDArray e = sd.output(Map.of(model.input().name(), x), model.output().name()).get(model.output().name());
        return e.reshape(-1).toDoubleVector();
    }

    @Test
    void lossIsTheMeanEnergyAndWeightsMakeItAWeightedMean() {
        ObjectiveGraph g = MaximumLikelihood.of().attach(TestModels.softplusEnergy(D, 5, 7));
        INDArray x = TestModels.randn(11, DataType.DOUBLE, 4, D);
        double[] e = energies(g.model(), x);
        double mean = (e[0] + e[1] + e[2] + e[3]) / 4;
        ObjectiveEvaluation r = g.evaluate(x, RandomDraws.none());
        assertEquals(mean, r.loss(), 1e-12 * Math.abs(mean) + 1e-12);
        assertEquals(mean, r.term("nll"), 1e-12 * Math.abs(mean) + 1e-12);
        INDArray w = Nd4j.createFromArray(1.0, 0.0, 3.0, 0.0);
        double weighted = (e[0] + 3 * e[2]) / 4;
        assertEquals(weighted, g.evaluate(x, w, RandomDraws.none(), false).loss(), 1e-12);
    }

    @Test
    void gradientAgreesWithCentralDifferences() {
        ObjectiveGraph g = MaximumLikelihood.of().attach(TestModels.softplusEnergy(D, 5, 3));
        INDArray x = TestModels.randn(5, DataType.DOUBLE, 6, D);
        ObjectiveEvaluation r = g.evaluate(x, RandomDraws.none());
        double h = 1e-6;
        for (String name : List.of("W", "c", "a")) {
            INDArray p = g.model().sameDiff().getVariable(name).getArr();
            INDArray grad = r.gradient(name);
            for (long i = 0; i < p.length(); i++) {
                double old = p.getDouble(i);
                p.putScalar(i, old + h);
                double up = g.evaluate(x, null, RandomDraws.none(), false).loss();
                p.putScalar(i, old - h);
                double down = g.evaluate(x, null, RandomDraws.none(), false).loss();
                p.putScalar(i, old);
                double fd = (up - down) / (2 * h);
                assertEquals(fd, grad.getDouble(i), 1e-7 * Math.max(1, Math.abs(fd)), name + "[" + i + "]");
            }
        }
    }

    @Test
    void roundTripsThroughJson() {
        String json = MaximumLikelihood.of().toJson();
        assertTrue(json.contains("@class"), json);
        assertEquals(MaximumLikelihood.of(), ScoreMatchingObjective.fromJson(json));
        assertEquals("mle", MaximumLikelihood.of().name());
    }

    @Test
    void refusesAScoreNetworkClearly() {
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> MaximumLikelihood.of().attach(TestModels.squareScore(D)));
        assertTrue(e.getMessage().contains("normalised energy model"), e.getMessage());
        assertTrue(e.getMessage().contains("score network"), e.getMessage());
    }
}
