package io.github.ssm4j.examples.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.model.ScoreFunction;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The NICE flow's output is −log p exactly: checked against the change-of-variables formula with the
 * Jacobian determinant of the inverse computed by central differences (not from Σ s), and by integrating
 * exp(−E) over the plane at D = 2. Both through DL4J's forward pass and through ssm4j's SameDiff translation.
 */
class NiceFlowTest {
    /** A float64 flow with every parameter random (log-scales and biases too, which start at 0). */
    static ComputationGraph randomFlow(int d, NiceFlow.Size size, long seed, double scale) {
        ComputationGraph net = NiceFlow.build(d, size, new Sgd(0.0), seed, DataType.DOUBLE);
        Random r = new Random(seed);
        INDArray p = net.params();
        for (long i = 0; i < p.length(); i++) {
            p.putScalar(i, scale * r.nextGaussian());
        }
        return net;
    }

    private static double[] energies(ComputationGraph net, INDArray x) {
        return net.outputSingle(x).reshape(-1).toDoubleVector();
    }

    private static double[] translatedEnergies(ComputationGraph net, INDArray x) {
        ScoreFunction f = ScoreMatchingTrainer.builder(net).energyHead(EnergyHead.OUTPUT)
                .inputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(x.size(1))).build().scoreFunction();
        return f.sameDiff().output(Map.of(f.input().name(), x), f.energy().name()).get(f.energy().name())
                .reshape(-1).toDoubleVector();
    }

    /** log |det ∂x/∂z| of the inverse flow at z, by central differences and Gaussian elimination. */
    private static double logAbsDetOfInverse(ComputationGraph net, double[] z) {
        int d = z.length;
        double h = 1e-5;
        double[][] jac = new double[d][d];
        for (int j = 0; j < d; j++) {
            double[] up = z.clone();
            double[] down = z.clone();
            up[j] += h;
            down[j] -= h;
            double[] xu = NiceSampler.inverse(net, Nd4j.createFromArray(new double[][] {up})).toDoubleVector();
            double[] xd = NiceSampler.inverse(net, Nd4j.createFromArray(new double[][] {down})).toDoubleVector();
            for (int i = 0; i < d; i++) {
                jac[i][j] = (xu[i] - xd[i]) / (2 * h);
            }
        }
        double logDet = 0;
        for (int c = 0; c < d; c++) {
            int pivot = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(jac[r][c]) > Math.abs(jac[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = jac[c];
            jac[c] = jac[pivot];
            jac[pivot] = t;
            logDet += Math.log(Math.abs(jac[c][c]));
            for (int r = c + 1; r < d; r++) {
                double f = jac[r][c] / jac[c][c];
                for (int k = c; k < d; k++) {
                    jac[r][k] -= f * jac[c][k];
                }
            }
        }
        return logDet;
    }

    @Test
    void energyIsMinusLogDensityByChangeOfVariables() {
        int d = 4;
        ComputationGraph net = randomFlow(d, new NiceFlow.Size(3, 2, 5), 11, 0.6);
        Random r = new Random(5);
        double[][] zs = new double[6][d];
        for (double[] z : zs) {
            for (int j = 0; j < d; j++) {
                z[j] = r.nextGaussian();
            }
        }
        INDArray x = NiceSampler.inverse(net, Nd4j.createFromArray(zs));
        double[] dl4j = energies(net, x);
        double[] translated = translatedEnergies(net, x);
        for (int n = 0; n < zs.length; n++) {
            double halfSquare = 0;
            for (double v : zs[n]) {
                halfSquare += 0.5 * v * v;
            }
            // p(x) = N(z; 0, I) · |det ∂z/∂x| = N(z; 0, I) / |det ∂x/∂z|
            double minusLogP = halfSquare + 0.5 * d * Math.log(2 * Math.PI) + logAbsDetOfInverse(net, zs[n]);
            assertEquals(minusLogP, dl4j[n], 1e-7, "DL4J output, example " + n);
            assertEquals(minusLogP, translated[n], 1e-7, "SameDiff translation, example " + n);
        }
        double sumS = net.getLayer(NiceFlow.ENERGY).getParam(NiceEnergyLayer.LOG_SCALE).sumNumber().doubleValue();
        assertTrue(Math.abs(sumS) > 0.1, "the log-scales are not trivially zero: " + sumS);
    }

    @Test
    void densityIntegratesToOneInTwoDimensions() {
        ComputationGraph net = randomFlow(2, new NiceFlow.Size(2, 1, 8), 3, 0.4);
        // midpoint rule on a box that holds all but a negligible part of the mass (checked below via the edges)
        int m = 500;
        double lo = -12;
        double hi = 12;
        double cell = (hi - lo) / m;
        double[][] grid = new double[m * m][2];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                grid[i * m + j][0] = lo + (i + 0.5) * cell;
                grid[i * m + j][1] = lo + (j + 0.5) * cell;
            }
        }
        double[] e = energies(net, Nd4j.createFromArray(grid));
        double mass = 0;
        double edge = 0;
        for (int k = 0; k < e.length; k++) {
            double p = Math.exp(-e[k]) * cell * cell;
            mass += p;
            int i = k / m;
            int j = k % m;
            if (i == 0 || j == 0 || i == m - 1 || j == m - 1) {
                edge += p;
            }
        }
        assertTrue(edge < 1e-6, "the box cuts off mass: " + edge + " on its edge");
        assertEquals(1.0, mass, 1e-3, "∫ exp(−E) over the plane");
    }

    @Test
    void exactSamplesInvertTheFlow() {
        ComputationGraph net = randomFlow(6, new NiceFlow.Size(4, 1, 7), 2, 0.5);
        INDArray z = Nd4j.createFromArray(new double[][] {{0.3, -1.2, 0.8, 0.1, -0.4, 2.0}});
        INDArray x = NiceSampler.inverse(net, z);
        INDArray s = net.getLayer(NiceFlow.ENERGY).getParam(NiceEnergyLayer.LOG_SCALE);
        double expected = 0.5 * z.mul(z).sumNumber().doubleValue() + 3 * Math.log(2 * Math.PI)
                - s.sumNumber().doubleValue();
        assertEquals(expected, energies(net, x)[0], 1e-10);
        assertEquals(5, NiceSampler.sample(net, 5, 1).size(0));
    }

    @Test
    void oddDimensionIsRefusedClearly() {
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> NiceFlow.build(5, new NiceFlow.Size(2, 1, 4), new Sgd(0.1), 1, DataType.FLOAT));
        assertTrue(e.getMessage().contains("even dimension"), e.getMessage());
    }
}
