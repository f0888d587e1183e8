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
 * The flow end to end: nice trains on the shipped digits by maximum likelihood, reports the exact test
 * log-likelihood in its run summary, {@code ssm eval} on the checkpoint prints the same number and
 * {@code ssm sample} draws exact samples (the flow inverted) as pixels in [0, 1].
 */
class NiceCliTest {
    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path file) throws Exception {
        return new ObjectMapper().readValue(file.toFile(), Map.class);
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    @Test
    void trainsByMaximumLikelihoodAndEvalPrintsTheTestLogLikelihood() throws Exception {
        String[] train = SampleEvalCommandTest.run("train", "--model", "nice", "--dataset", "digits", "--objective", "mle",
                "--steps", "3", "--batch-size", "32", "--output", dir.toString());
        assertEquals("0", train[0], train[1] + train[2]);
        assertTrue(train[1].contains("test log-likelihood"), train[1]);
        assertTrue(Files.size(dir.resolve("samples.png")) > 1000);
        @SuppressWarnings("unchecked")
        Map<String, Object> trained = (Map<String, Object>) json(dir.resolve("run-summary.json")).get("testLogLikelihood");

        String[] eval = SampleEvalCommandTest.run("eval", "--checkpoint", dir.toString(), "--output",
                dir.resolve("eval").toString());
        assertEquals("0", eval[0], eval[1] + eval[2]);
        assertTrue(eval[1].contains("test log-likelihood") && eval[1].contains("bits/dim"), eval[1]);
        @SuppressWarnings("unchecked")
        Map<String, Object> evaluated = (Map<String, Object>) json(dir.resolve("eval").resolve("eval-summary.json"))
                .get("testLogLikelihood");
        double nats = number(evaluated, "logLikelihoodNats");
        double bits = number(evaluated, "bitsPerDim");
        assertTrue(Double.isFinite(nats) && bits > 0, evaluated.toString());
        assertEquals(359, number(evaluated, "examples"), "the whole TEST split of digits");
        // 64 pixels of 17 levels: bits/dim = (−log p(x) + 64·ln 17)/(64·ln 2)
        assertEquals((-nats + 64 * Math.log(17)) / (64 * Math.log(2)), bits, 1e-9);
        assertEquals(number(trained, "logLikelihoodNats"), nats, 1e-4 * Math.abs(nats),
                "train and eval see the same checkpoint and the same dequantised test data");

        String[] sample = SampleEvalCommandTest.run("sample", "--checkpoint", dir.toString(), "--chains", "6",
                "--output", dir.resolve("drawn").toString());
        assertEquals("0", sample[0], sample[1] + sample[2]);
        assertTrue(sample[1].contains("exactly"), sample[1]);
        List<String> csv = Files.readAllLines(dir.resolve("drawn").resolve("samples.csv"));
        assertEquals(1 + 6, csv.size(), "header and one row per sample");
        for (String line : csv.subList(1, csv.size())) {
            String[] pixels = line.split(",");
            assertEquals(64, pixels.length, "an 8×8 image per row");
            for (String p : pixels) {
                double v = Double.parseDouble(p);
                assertTrue(v >= 0 && v <= 1, "pixels are mapped back to [0, 1]: " + v);
            }
        }

        // Langevin chains run in the logit space the flow was trained in; what is written is pixels again
        String[] langevin = SampleEvalCommandTest.run("sample", "--checkpoint", dir.toString(), "--chains", "4",
                "--method", "langevin", "--steps", "5", "--output", dir.resolve("langevin").toString());
        assertEquals("0", langevin[0], langevin[1] + langevin[2]);
        List<String> rows = Files.readAllLines(dir.resolve("langevin").resolve("samples.csv"));
        assertEquals(1 + 4, rows.size());
        for (String line : rows.subList(1, rows.size())) {
            for (String p : line.split(",")) {
                double v = Double.parseDouble(p);
                assertTrue(v >= 0 && v <= 1, "Langevin samples are mapped back to [0, 1]: " + v);
            }
        }
    }

    @Test
    void maximumLikelihoodOnAnUnnormalisedModelIsAOneLineError() {
        String[] r = SampleEvalCommandTest.run("train", "--model", "mlp-energy-2d", "--objective", "mle", "--steps", "2",
                "--samples", "256", "--batch-size", "64", "--output", dir.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("needs a normalised model") && r[2].lines().count() == 1, r[2]);
    }
}
