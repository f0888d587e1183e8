package io.github.ssm4j.bench;

import io.github.ssm4j.dl4j.NetworkTranslator;
import io.github.ssm4j.dl4j.TranslatedNetwork;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.RandomDraws;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.listeners.profiler.ProfilingListener;
import org.nd4j.autodiff.listeners.profiler.comparison.ProfileAnalyzer;
import org.nd4j.autodiff.listeners.profiler.data.TraceEvent;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where an SSM-VR step's time goes, phase by phase, on the DL4J path: drawing the projections, pulling the
 * network's parameters into the graph, SameDiff's loss-and-gradient evaluation, the finiteness check, and
 * DL4J's updater; next to a forward-only SameDiff evaluation and DL4J's own {@code net.output}.
 *
 * <pre>java -cp ... io.github.ssm4j.bench.StepProfile small|large [steps]</pre>
 */
public final class StepProfile {
    private StepProfile() {
    }

    public static void main(String[] args) {
        int[] dw = BenchMain.size(args.length > 0 ? args[0] : "small");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        MultiLayerNetwork net = StepCase.network(dw[0], dw[1], 42);
        TranslatedNetwork t = NetworkTranslator.translate(net);
        ObjectiveGraph graph = Objective.SSM_VR.objective().attach(ScoreFunction.ofScore(t.input(), t.output()));
        INDArray x = Nd4j.randn(DataType.FLOAT, StepCase.BATCH, dw[0]);
        SplittableRandom rng = new SplittableRandom(1);
        String[] names = {"draw", "pull", "evaluate+grad", "finite-check", "forward-only", "net.output"};
        double[] total = new double[names.length];
        for (int i = -steps / 4; i < steps; i++) {
            long[] ts = new long[names.length + 1];
            ts[0] = System.nanoTime();
            RandomDraws draws = graph.draw(x, rng);
            ts[1] = System.nanoTime();
            t.pullParameters();
            ts[2] = System.nanoTime();
            ObjectiveEvaluation e = graph.evaluate(x, null, draws, true);
            ts[3] = System.nanoTime();
            for (Map.Entry<String, INDArray> g : e.gradients().entrySet()) {
                if (!Double.isFinite(g.getValue().sumNumber().doubleValue())) {
                    throw new ArithmeticException(g.getKey());
                }
            }
            ts[4] = System.nanoTime();
            graph.evaluate(x, null, draws, false);
            ts[5] = System.nanoTime();
            net.output(x);
            ts[6] = System.nanoTime();
            if (i >= 0) {
                for (int k = 0; k < names.length; k++) {
                    total[k] += (ts[k + 1] - ts[k]) / 1e6;
                }
            }
        }
        for (int k = 0; k < names.length; k++) {
            System.out.printf(Locale.ROOT, "%-14s %9.3f ms%n", names[k], total[k] / steps);
        }
        if (args.length > 2) {
            // per-op: SameDiff's own profiler over a few more gradient evaluations, summarised by op
            java.io.File trace = new java.io.File(args[2]);
            graph.model().sameDiff().setListeners(new ProfilingListener.Builder(trace).recordAll().warmup(0).build());
            int n = 5;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                graph.evaluate(x, null, graph.draw(x, rng), true);
            }
            double wallMs = (System.nanoTime() - t0) / 1e6 / n;
            graph.model().sameDiff().setListeners();
            ProfileAnalyzer.summarizeProfile(trace, ProfileAnalyzer.ProfileFormat.SAMEDIFF);
            double opMs = 0;
            int ops = 0;
            for (TraceEvent ev : ProfileAnalyzer.getTraceEvents(trace, ProfileAnalyzer.ProfileFormat.SAMEDIFF)) {
                if (ev.getDur() != null) {
                    opMs += ev.getDur() / 1e3;
                    ops++;
                }
            }
            System.out.printf(Locale.ROOT, "profiled evaluate+grad %.3f ms wall; ops' own time %.3f ms (%d op "
                    + "executions per evaluation, %.1f%% of the wall time); the rest is SameDiff's session (op "
                    + "lookup, shapes, array allocation) and the profiler%n", wallMs, opMs / n, ops / n,
                    100 * opMs / n / wallMs);
        }
    }
}
