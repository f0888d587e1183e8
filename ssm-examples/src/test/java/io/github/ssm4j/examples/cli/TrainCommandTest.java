package io.github.ssm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** {@code ssm train} and {@code ssm zoo}, run as a user runs them (short runs). */
class TrainCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        return SampleEvalCommandTest.run(args);
    }

    @Test
    void aShortDefaultRunWritesPicturesASummaryAndACheckpoint() throws Exception {
        String[] r = run("train", "--steps", "16", "--samples", "512", "--batch-size", "64", "--output", dir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        for (String png : new String[] {"samples.png", "score-field.png", "density.png", "loss.png"}) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = new ObjectMapper().readValue(dir.resolve("run-summary.json").toFile(), Map.class);
        assertEquals("mlp-energy-2d", summary.get("model"));
        assertEquals(16, summary.get("steps"));
        double fisher = ((Number) summary.get("fisherDivergence")).doubleValue();
        assertTrue(Double.isFinite(fisher) && fisher >= 0, "Fisher divergence " + fisher);
        assertTrue(r[1].contains("Fisher divergence"), r[1]);
        try (var files = Files.list(dir.resolve("checkpoints"))) {
            assertEquals(1, files.filter(p -> p.toString().endsWith(".zip")).count());
        }
    }

    @Test
    void theScoreNetworkRecipeTrainsByAnotherObjective() {
        String[] r = run("train", "--model", "mlp-score-2d", "--objective", "dsm", "--sigma", "0.2", "--dataset",
                "two-moons", "--steps", "8", "--samples", "256", "--batch-size", "64", "--output", dir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(Files.exists(dir.resolve("score-field.png")));
        assertFalse(Files.exists(dir.resolve("density.png")), "a score network has no density picture");
    }

    @Test
    void dataNoiseWrapsTheObjectiveAndIsRecorded() throws Exception {
        String[] r = run("train", "--model", "mlp-score-2d", "--objective", "ism", "--data-noise", "0.2", "--steps", "4",
                "--samples", "256", "--batch-size", "64", "--output", dir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        Map<String, Object> summary = summary(dir);
        assertEquals("ism+data-noise", summary.get("objectiveName"));
        assertTrue(summary.get("objective").toString().contains("sigma=0.2"), summary.get("objective").toString());
        String[] dsm = run("train", "--model", "mlp-score-2d", "--objective", "dsm", "--data-noise", "0.2",
                "--output", dir.resolve("dsm").toString());
        assertEquals("2", dsm[0], dsm[1] + dsm[2]);
        assertTrue(dsm[2].contains("already noises the data") && dsm[2].lines().count() == 1, dsm[2]);
    }

    @Test
    void stepsAreExactAndEpochsArePassesOverTheTrainingSet() throws Exception {
        // 256 samples in batches of 64: 4 steps per epoch; 6 steps stop in the middle of the second epoch
        String[] r = run("train", "--model", "mlp-score-2d", "--steps", "6", "--samples", "256", "--batch-size", "64",
                "--output", dir.resolve("steps").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertEquals(6, summary(dir.resolve("steps")).get("steps"));
        r = run("train", "--model", "mlp-score-2d", "--epochs", "2", "--samples", "256", "--batch-size", "64",
                "--output", dir.resolve("epochs").toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertEquals(8, summary(dir.resolve("epochs")).get("steps"));
        String[] both = run("train", "--steps", "6", "--epochs", "2");
        assertEquals("2", both[0]);
        assertTrue(both[2].contains("--steps or --epochs"), both[2]);
    }

    @Test
    void aDivergingRunStopsWithOneLineNamingTheStep() {
        // Adam at learning rate 1e30 throws the weights to ~1e30 in one step; the next loss is not finite
        String[] r = run("train", "--model", "mlp-score-2d", "--lr", "1e30", "--steps", "8", "--samples", "256",
                "--batch-size", "64", "--output", dir.resolve("nan").toString());
        assertEquals("3", r[0], r[1] + r[2]);
        assertTrue(r[2].startsWith("ssm: Step ") && r[2].contains("Training stopped") && !r[2].contains("\tat "),
                r[2]);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(Path runDirectory) throws Exception {
        return new ObjectMapper().readValue(runDirectory.resolve("run-summary.json").toFile(), Map.class);
    }

    @Test
    void badArgumentsGetOneLineErrorsWithTheAcceptedValues() {
        String[] model = run("train", "--model", "nope");
        assertEquals("2", model[0]);
        assertTrue(model[2].contains("mlp-energy-2d") && !model[2].contains("Exception"), model[2]);
        String[] objective = run("train", "--objective", "nope");
        assertEquals("2", objective[0]);
        assertTrue(objective[2].contains("ssm-vr") && objective[2].contains("fd-ssm"), objective[2]);
        String[] steps = run("train", "--steps", "0");
        assertEquals("2", steps[0]);
        assertTrue(steps[2].startsWith("ssm: "), steps[2]);
    }

    @Test
    void zooListsTheRecipes() {
        String[] r = run("zoo");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("mlp-score-2d") && r[1].contains("mlp-energy-2d") && r[1].contains("ssm-vr"), r[1]);
    }
}
