package io.github.ssm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The image path end to end: ncsn-lite trains on the shipped digits, then {@code ssm sample} draws from the
 * checkpoint by annealed Langevin (image grid and CSV) and {@code ssm eval} scores held-out digits.
 */
class NoiseConditionalCliTest {
    @TempDir
    Path dir;

    @Test
    void ncsnLiteTrainsSamplesAnnealedAndEvaluatesOnDigits() throws Exception {
        String[] train = SampleEvalCommandTest.run("train", "--model", "ncsn-lite", "--dataset", "digits", "--steps", "2",
                "--batch-size", "16", "--held-out", "40", "--langevin-steps", "3", "--output", dir.toString());
        assertEquals("0", train[0], train[1] + train[2]);
        assertTrue(Files.size(dir.resolve("samples.png")) > 1000);
        assertTrue(train[1].contains("3 steps per level"), train[1]);
        @SuppressWarnings("unchecked")
        Map<String, Object> run = new ObjectMapper().readValue(dir.resolve("run-summary.json").toFile(), Map.class);
        assertEquals(40, ((Number) run.get("heldOutExamples")).intValue(), run.toString());

        // the sliced objectives train a noise-conditional recipe over its σ ladder (NoiseLadder)
        String[] ssm = SampleEvalCommandTest.run("train", "--model", "ncsn-lite", "--dataset", "digits", "--objective",
                "ssm-vr", "--sigmas", "2,0.05,4", "--steps", "2", "--batch-size", "16", "--held-out", "32",
                "--langevin-steps", "2", "--output", dir.resolve("ssm").toString());
        assertEquals("0", ssm[0], ssm[1] + ssm[2]);
        @SuppressWarnings("unchecked")
        Map<String, Object> ssmRun = new ObjectMapper().readValue(dir.resolve("ssm").resolve("run-summary.json").toFile(),
                Map.class);
        assertEquals("ncsn-ssm-vr", ssmRun.get("objectiveName"));
        assertTrue(ssmRun.get("objective").toString().contains("sigmas=[2.0, "), ssmRun.toString());
        assertTrue(ssm[1].contains("over 4 noise levels"), ssm[1]);
        String[] notConditional = SampleEvalCommandTest.run("train", "--model", "mlp-score-2d", "--sigmas", "1,0.1,3",
                "--output", dir.resolve("toy").toString());
        assertEquals("2", notConditional[0], notConditional[1] + notConditional[2]);
        assertTrue(notConditional[2].contains("noise-conditional recipes"), notConditional[2]);

        String[] bad = SampleEvalCommandTest.run("train", "--model", "ncsn-lite", "--dataset", "digits",
                "--held-out", "-1", "--output", dir.resolve("bad").toString());
        assertEquals("2", bad[0], bad[1] + bad[2]);
        assertTrue(bad[2].contains("--held-out ≥ 0") && bad[2].lines().count() == 1, bad[2]);

        Path out = dir.resolve("drawn");
        String[] sample = SampleEvalCommandTest.run("sample", "--checkpoint", dir.toString(), "--method", "annealed",
                "--sigmas", "1,0.01,3", "--steps", "4", "--chains", "6", "--seed", "3", "--output", out.toString());
        assertEquals("0", sample[0], sample[1] + sample[2]);
        List<String> csv = Files.readAllLines(out.resolve("samples.csv"));
        assertEquals(1 + 6, csv.size(), "header and one row per chain");
        assertEquals(64, csv.get(1).split(",").length, "an 8×8 image per row");
        try (var files = Files.list(out)) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".png")));
        }

        String[] eval = SampleEvalCommandTest.run("eval", "--checkpoint", dir.toString(), "--samples", "64",
                "--output", dir.resolve("eval").toString());
        assertEquals("0", eval[0], eval[1] + eval[2]);
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = new ObjectMapper().readValue(
                dir.resolve("eval").resolve("eval-summary.json").toFile(), Map.class);
        assertTrue(summary.toString().contains("loss"), summary.toString());
    }
}
