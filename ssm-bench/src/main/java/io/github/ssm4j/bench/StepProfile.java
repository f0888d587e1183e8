package io.github.ssm4j.bench;

import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.internal.OpProfile;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a training step's time goes on the DL4J path — {@link ScoreMatchingTrainer} on the benchmark's
 * {@link MultiLayerNetwork}, as the suite times it — phase by phase: drawing the projections or noise, the
 * whole step with those draws (parameters in, the replayed loss-and-gradient program, gradients out, the
 * finiteness check, DL4J's updater), the program alone, and what is outside it; next to a forward-only
 * evaluation of the objective and DL4J's own {@code net.output}.
 *
 * <pre>
 * java [-Dssm4j.replay.profile=true|steps] -cp ... io.github.ssm4j.bench.StepProfile small|large|dN [steps] [objective]
 * </pre>
 *
 * With {@code -Dssm4j.replay.profile=true} (op kinds) or {@code =steps} (each program step) it then times
 * {@code steps} more plain training steps and prints the replayed ops' share, most expensive first.
 * (SameDiff's own profiling listener sees nothing here: replayed programs bypass SameDiff's session.)
 */
public final class StepProfile {
    private StepProfile() {
    }

    public static void main(String[] args) {
        int[] dw = BenchMain.size(args.length > 0 ? args[0] : "small");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Objective objective = args.length > 2 ? Objective.of(args[2]) : Objective.SSM_VR;
        if (objective == Objective.PLAIN) {
            throw new IllegalArgumentException("The plain step is DL4J's net.fit, with no phases of ours to profile");
        }
        MultiLayerNetwork net = StepCase.network(dw[0], dw[1], 42);
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net).objective(objective.objective()).seed(42)
                .build();
        ObjectiveGraph graph = trainer.graph();
        INDArray x = Nd4j.randn(DataType.FLOAT, StepCase.BATCH, dw[0]);
        SplittableRandom rng = new SplittableRandom(1);

        String[] names = {"draw", "step", "program", "forward-only", "net.output"};
        double[] total = new double[names.length];
        for (int i = -Math.max(steps / 4, 2); i < steps; i++) {
            long[] ts = new long[names.length + 1];
            ts[0] = System.nanoTime();
            RandomDraws draws = graph.drawForStep(x, rng);
            ts[1] = System.nanoTime();
            trainer.step(x, draws);
            ts[2] = System.nanoTime();
            graph.evaluateForStep(x, null, draws);   // the step's program once more, by itself
            ts[3] = System.nanoTime();
            graph.evaluate(x, null, draws, false);
            ts[4] = System.nanoTime();
            net.output(x);
            ts[5] = System.nanoTime();
            if (i >= 0) {
                for (int k = 0; k < names.length; k++) {
                    total[k] += (ts[k + 1] - ts[k]) / 1e6;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s on %s (D = %d, W = %d, N = %d), DL4J path, %d steps; ms per step:%n",
                objective.id(), args.length > 0 ? args[0] : "small", dw[0], dw[1], StepCase.BATCH, steps);
        double[] perStep = new double[names.length];
        for (int k = 0; k < names.length; k++) {
            perStep[k] = total[k] / steps;
        }
        String[] what = {"drawing the projections or noise", "the training step with those draws",
            "its loss-and-gradient program alone", "the objective without gradients", "DL4J's own forward pass"};
        for (int k = 0; k < names.length; k++) {
            System.out.printf(Locale.ROOT, "  %-14s %9.3f   %s%n", names[k], perStep[k], what[k]);
        }
        System.out.printf(Locale.ROOT, "  %-14s %9.3f   the step outside its program: parameters in, gradients "
                + "out, finiteness check, updater%n", "outside", perStep[1] - perStep[2]);

        String mode = System.getProperty("ssm4j.replay.profile", "false");
        if (!mode.equals("true") && !mode.equals("steps")) {
            System.out.println("(add -Dssm4j.replay.profile=true, or =steps, for the replayed ops' own times)");
            return;
        }
        OpProfile.reset();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            trainer.step(x);
        }
        System.out.printf(Locale.ROOT, "%nReplayed ops over %d more steps (%.3f ms per step with the profile on):%n%s",
                steps, (System.nanoTime() - start) / 1e6 / steps, OpProfile.report(40));
    }
}
