package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * A network's vertex graphs become garbage with the network, after backward passes too. The backward graph is
 * written with the derivative engine, whose per-graph shape cache is static; it once held every graph it had
 * seen, and with it the views of each network's parameters, for the life of the JVM.
 */
class VertexGraphReleaseTest {
    @Test
    void vertexGraphIsCollectedAfterTheNetworkIsDropped() throws Exception {
        WeakReference<SameDiff> graph = trainedVertexGraph();
        for (int i = 0; i < 50 && graph.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(graph.get(), "the FiLM vertex's SameDiff graph is still reachable after its network was dropped");
    }

    /** Builds a network, runs one backward pass and returns a weak reference to the FiLM vertex's graph. */
    private static WeakReference<SameDiff> trainedVertexGraph() throws Exception {
        ComputationGraph net = new ComputationGraph(ConditionalGraphs.mlp(3, 5, new NoOp()));
        net.init();
        net.setInputs(ConditionalGraphs.randn(1, 4, 3), ConditionalGraphs.sigmas(2, 4));
        net.setLabels(ConditionalGraphs.randn(3, 4, 3));
        net.computeGradientAndScore();
        Field field = SameDiffGraphVertex.class.getDeclaredField("sameDiff");
        field.setAccessible(true);
        SameDiff sd = (SameDiff) field.get(net.getVertex("film"));
        assertNotNull(sd, "the vertex built its graph");
        return new WeakReference<>(sd);
    }
}
