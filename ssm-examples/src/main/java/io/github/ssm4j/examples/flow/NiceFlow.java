package io.github.ssm4j.examples.flow;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Builds a NICE flow as a DL4J ComputationGraph from input {@code x} [N, D] (D even) to the energy
 * E(x) = −log p(x), [N, 1]:
 * <pre>
 * x → even/odd split → a = first half, b = second half
 *   coupling 1: b ← b + m₁(a);  coupling 2: a ← a + m₂(b);  … (alternating)
 *   → merge [a, b] → z = h ⊙ exp(s) → E = ½‖z‖² + (D/2) log 2π − Σ s
 * </pre>
 * Each m_k is an MLP of {@code depth} softplus layers of {@code hidden} units and a linear layer back to D/2
 * (softplus, not relu, so the score and its Jacobian are smooth for score matching). Couplings are additive,
 * so the log-determinant of the flow is Σ s and the energy is exactly normalised. Layer names: coupling k's
 * MLP layers are {@code m<k>_<i>} (i = 0 … depth), its sum {@code c<k>}; the scaling and prior {@code energy}.
 *
 * <p>Every element is one ssm4j's DL4J translator supports (DenseLayer, SubsetVertex, ElementWiseVertex,
 * MergeVertex, and the two SameDiff layers here), so the graph trains by any objective.
 */
public final class NiceFlow {
    /** Coupling layers, hidden layers per coupling MLP and their width. */
    public record Size(int couplings, int depth, int hidden) {
        public Size {
            if (couplings < 1 || depth < 1 || hidden < 1) {
                throw new IllegalArgumentException("A NICE flow needs ≥ 1 coupling, ≥ 1 hidden layer and ≥ 1 unit, got "
                        + couplings + " couplings, depth " + depth + ", width " + hidden);
            }
        }

        @Override
        public String toString() {
            return couplings + " couplings, MLPs D/2 → " + depth + " × " + hidden + " softplus → D/2";
        }
    }

    private NiceFlow() {
    }

    /** Name of the graph's input. */
    public static final String INPUT = "x";
    /** Name of the energy layer (and output). */
    public static final String ENERGY = "energy";

    public static ComputationGraph build(long d, Size size, IUpdater updater, long seed, DataType dataType) {
        if (d < 2 || d % 2 != 0) {
            throw new IllegalArgumentException("A NICE flow splits the features in two halves, so it needs an even "
                    + "dimension ≥ 2, got " + d);
        }
        int half = Math.toIntExact(d / 2);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(dataType).updater(updater).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs(INPUT).setInputTypes(InputType.feedForward(d))
                .addLayer("split", new EvenOddSplitLayer(d), INPUT)
                .addVertex("a0", new SubsetVertex(0, half - 1), "split")
                .addVertex("b0", new SubsetVertex(half, 2 * half - 1), "split");
        String a = "a0";
        String b = "b0";
        for (int k = 1; k <= size.couplings(); k++) {
            boolean updateB = k % 2 == 1;
            String in = updateB ? a : b;
            String previous = in;
            for (int i = 0; i < size.depth(); i++) {
                g.addLayer(mlpLayer(k, i), new DenseLayer.Builder().nOut(size.hidden()).activation(Activation.SOFTPLUS)
                        .build(), previous);
                previous = mlpLayer(k, i);
            }
            g.addLayer(mlpLayer(k, size.depth()), new DenseLayer.Builder().nOut(half).activation(Activation.IDENTITY)
                    .build(), previous);
            String sum = "c" + k;
            g.addVertex(sum, new ElementWiseVertex(ElementWiseVertex.Op.Add), updateB ? b : a, mlpLayer(k, size.depth()));
            if (updateB) {
                b = sum;
            } else {
                a = sum;
            }
        }
        g.addVertex("merge", new MergeVertex(), a, b)
                .addLayer(ENERGY, new NiceEnergyLayer(d), "merge")
                .setOutputs(ENERGY);
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    /** The name of layer i of coupling k's MLP. */
    static String mlpLayer(int k, int i) {
        return "m" + k + "_" + i;
    }

    /** Which half coupling k updates: the second (b) for odd k, the first (a) for even k. */
    static boolean updatesSecondHalf(int k) {
        return k % 2 == 1;
    }

    /** The names of coupling k's MLP layers, input to output. */
    static List<String> mlpLayers(int k, int depth) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i <= depth; i++) {
            names.add(mlpLayer(k, i));
        }
        return names;
    }
}
