package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssm4j.model.ScoreFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The closed forms of docs/score-matching.md, evaluated through the objectives' graphs in float64. */
class ClosedFormTest {
    /** Sums of a handful of exactly representable products: agreement to rounding. */
    private static final double EXACT = 1e-9;

    private static final INDArray X = Nd4j.createFromArray(new double[][] {{2, 7}});
    private static final INDArray ONES = Nd4j.createFromArray(new double[][][] {{{1, 1}}});

    @Test
    void squareScoreGivesTheDocumentedSsmAndSsmVrValues() {
        ObjectiveEvaluation ssm = SlicedScoreMatching.standard(Projection.RADEMACHER)
                .attach(TestModels.squareScore(2)).evaluate(X, RandomDraws.ofProjections(ONES));
        assertEquals(1404.5, ssm.term("projected_norm"), EXACT);
        assertEquals(18.0, ssm.term("curvature"), EXACT);
        assertEquals(1422.5, ssm.loss(), EXACT);

        ObjectiveEvaluation vr = SlicedScoreMatching.varianceReduced(Projection.RADEMACHER)
                .attach(TestModels.squareScore(2)).evaluate(X, RandomDraws.ofProjections(ONES));
        assertEquals(1208.5, vr.term("norm"), EXACT);
        assertEquals(1226.5, vr.loss(), EXACT);
    }

    @Test
    void squareScoreUnderFiniteDifferencesHasOnlyTheEpsilonSquaredBiasOfTheMean() {
        double eps = 1e-3;
        ObjectiveEvaluation fd = FiniteDifferenceSsm.of(Projection.RADEMACHER, eps)
                .attach(TestModels.squareScore(2)).evaluate(X, RandomDraws.ofProjections(ONES));
        // s is quadratic along v, so the central difference is exact: vᵀJv = 18 to rounding (≈ 1e-16·49/ε)
        assertEquals(18.0, fd.term("curvature"), 1e-9);
        // s̄ = (s₊ + s₋)/2 = x² + ε²v²: vᵀs̄ = 53 + 2ε², ½(vᵀs̄)² = 1404.5 + 106ε² + O(ε⁴)
        assertEquals(1404.5 + 106 * eps * eps, fd.term("projected_norm"), 1e-9);
    }

    @Test
    void halfSquaredNormEnergyHasIsmHalfNormMinusD() {
        int d = 3;
        INDArray x = TestModels.randn(11, DataType.DOUBLE, 5, d);
        ScoreFunction energy = TestModels.halfSquaredNormEnergy(d);
        ObjectiveEvaluation ism = ImplicitScoreMatching.exact().attach(energy).evaluate(x, RandomDraws.none());
        double expected = 0;
        for (int n = 0; n < 5; n++) {
            double sq = 0;
            for (int i = 0; i < d; i++) {
                sq += x.getDouble(n, i) * x.getDouble(n, i);
            }
            expected += (0.5 * sq - d) / 5;
        }
        assertEquals(expected, ism.loss(), EXACT);
        assertEquals(-d, ism.term("trace"), EXACT);
    }

    @Test
    void energyScoreHasTheSignOfMinusTheGradient() {
        // E = ½‖x‖² has s = −x: SSM-VR's norm term is ½‖x‖², and vᵀs for v = e₁ is −x₁ (checked via SSM)
        ScoreFunction energy = TestModels.halfSquaredNormEnergy(2);
        INDArray e1 = Nd4j.createFromArray(new double[][][] {{{1, 0}}});
        ObjectiveEvaluation ssm = SlicedScoreMatching.standard(Projection.RADEMACHER).attach(energy)
                .evaluate(X, RandomDraws.ofProjections(e1));
        assertEquals(0.5 * 4, ssm.term("projected_norm"), EXACT);
        assertEquals(-1.0, ssm.term("curvature"), EXACT);
        INDArray s = energy.sameDiff().output(java.util.Map.of("x", X), energy.score().name())
                .get(energy.score().name());
        assertEquals(-2.0, s.getDouble(0, 0), EXACT);
        assertEquals(-7.0, s.getDouble(0, 1), EXACT);
    }

    @Test
    void linearScoreGradientsMatchTheFormulas() {
        int d = 3;
        int n = 4;
        INDArray w = TestModels.randn(1, DataType.DOUBLE, d, d);
        INDArray b = TestModels.randn(2, DataType.DOUBLE, d);
        INDArray x = TestModels.randn(3, DataType.DOUBLE, n, d);
        INDArray v = TestModels.randn(4, DataType.DOUBLE, 1, n, d);
        for (boolean vr : new boolean[] {false, true}) {
            SlicedScoreMatching objective = new SlicedScoreMatching(Projection.GAUSSIAN, 1, vr);
            ObjectiveEvaluation e = objective.attach(TestModels.linearScore(w, b))
                    .evaluate(x, RandomDraws.ofProjections(v));
            double[][] gw = new double[d][d];
            double[] gb = new double[d];
            for (int r = 0; r < n; r++) {
                double[] xr = x.getRow(r).toDoubleVector();
                double[] vr_ = v.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(r)).toDoubleVector();
                double[] s = new double[d];
                double vs = 0;
                for (int i = 0; i < d; i++) {
                    s[i] = b.getDouble(i);
                    for (int j = 0; j < d; j++) {
                        s[i] += w.getDouble(i, j) * xr[j];
                    }
                    vs += vr_[i] * s[i];
                }
                for (int i = 0; i < d; i++) {
                    // SSM: ∂/∂W = (vᵀs)vxᵀ + vvᵀ, ∂/∂b = (vᵀs)v;  SSM-VR: ∂/∂W = sxᵀ + vvᵀ, ∂/∂b = s
                    double outer = vr ? s[i] : vs * vr_[i];
                    gb[i] += outer / n;
                    for (int j = 0; j < d; j++) {
                        gw[i][j] += (outer * xr[j] + vr_[i] * vr_[j]) / n;
                    }
                }
            }
            INDArray gotW = e.gradient("W");
            for (int i = 0; i < d; i++) {
                assertEquals(gb[i], e.gradient("b").getDouble(i), EXACT, "b[" + i + "] vr=" + vr);
                for (int j = 0; j < d; j++) {
                    assertEquals(gw[i][j], gotW.getDouble(i, j), EXACT, "W[" + i + "," + j + "] vr=" + vr);
                }
            }
        }
    }
}
