package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Bad input gets an error that names what was wrong and what was expected. */
class ObjectiveBadInputTest {

    private static void assertMessage(Executable call, String... fragments) {
        Exception e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    private static ObjectiveGraph vr() {
        return SlicedScoreMatching.varianceReduced(Projection.RADEMACHER).attach(TestModels.squareScore(2));
    }

    @Test
    void nonFiniteInputNamesTheFirstBadRow() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}, {Double.NaN, 0}, {0, Double.POSITIVE_INFINITY}});
        ObjectiveGraph g = vr();
        assertMessage(() -> g.evaluate(x, g.draw(x, new java.util.SplittableRandom(1))), "row 2", "NaN");
    }

    @Test
    void inputShapeMismatchShowsBothShapes() {
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 3, 5);
        ObjectiveGraph g = vr();
        assertMessage(() -> g.evaluate(x, RandomDraws.ofProjections(Nd4j.zeros(DataType.DOUBLE, 1, 3, 5))),
                "[3, 5]", "[-1, 2]");
    }

    @Test
    void emptyBatchIsAnError() {
        ObjectiveGraph g = vr();
        assertMessage(() -> g.evaluate(Nd4j.zeros(DataType.DOUBLE, 0, 2), RandomDraws.none()), "empty");
    }

    @Test
    void projectionShapeMismatchIsAnError() {
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 3, 2);
        ObjectiveGraph g = vr();
        assertMessage(() -> g.evaluate(x, RandomDraws.ofProjections(Nd4j.zeros(DataType.DOUBLE, 1, 4, 2))),
                "[1, 4, 2]", "[1, 3, 2]");
        assertMessage(() -> g.evaluate(x, RandomDraws.none()), "projections");
    }

    @Test
    void scoreShapedUnlikeInputSaysWhichParameterisationWasExpected() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.ones(DataType.DOUBLE, 3, 2));
        assertMessage(() -> ScoreFunction.ofScore(x, x.mmul(w)), "[-1, 2]", "[-1, 3]", "ofEnergy");
        assertMessage(() -> ScoreFunction.ofEnergy(x, x.mul(2)), "one scalar per example", "[-1, 3]", "ofScore");
    }

    @Test
    void objectiveParametersAreChecked() {
        assertMessage(() -> SlicedScoreMatching.standard(Projection.RADEMACHER).withProjections(0), "at least 1");
        assertMessage(() -> SlicedScoreMatching.varianceReduced(Projection.UNIT_SPHERE), "unit sphere");
        assertMessage(() -> DenoisingScoreMatching.withSigma(0), "positive");
        assertMessage(() -> DenoisingScoreMatching.withSigma(-1), "positive");
        assertMessage(() -> FiniteDifferenceSsm.of(Projection.GAUSSIAN, 0), "ε", "positive");
        assertMessage(() -> FiniteDifferenceSsm.of(Projection.GAUSSIAN, Double.NaN), "ε");
        assertMessage(() -> ImplicitScoreMatching.exact().withChunkSize(0), "at least 1");
    }

    @Test
    void weightsAreChecked() {
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 2, 2);
        ObjectiveGraph g = vr();
        RandomDraws v = RandomDraws.ofProjections(Nd4j.ones(DataType.DOUBLE, 1, 2, 2));
        assertMessage(() -> g.evaluate(x, Nd4j.createFromArray(1.0, 1.0, 1.0), v, false), "3", "2 rows");
        assertMessage(() -> g.evaluate(x, Nd4j.createFromArray(1.0, -1.0), v, false), "non-negative");
        assertMessage(() -> g.evaluate(x, Nd4j.createFromArray(0.0, 0.0), v, false), "zero");
    }

    @Test
    void combinationsWithoutAMeaningAreRefused() {
        assertMessage(() -> FiniteDifferenceSsm.of(Projection.RADEMACHER, 0.1).varianceReducedForm()
                .attach(TestModels.halfSquaredNormEnergy(2)), "energy");
        assertMessage(() -> DenoisingScoreMatching.noiseConditional(new double[] {1, 0.1})
                .attach(TestModels.squareScore(2)), "conditionedOn");
    }
}
