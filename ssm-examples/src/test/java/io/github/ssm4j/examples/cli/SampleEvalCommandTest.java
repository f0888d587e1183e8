package io.github.ssm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.Checkpoint;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.examples.recipes.Recipes;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** {@code ssm sample} and {@code ssm eval} on a tiny trained run, and their errors for bad checkpoints. */
class SampleEvalCommandTest {
    @TempDir
    static Path runDir;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainATinyRun() {
        String[] r = run("train", "--steps", "8", "--samples", "256", "--batch-size", "64", "--output", runDir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
    }

    static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = SsmCommand.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    private static List<String> listing(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void samplesAToyRunAsAPictureAndACsvReproducibly() throws Exception {
        List<String> before = listing(runDir.resolve("checkpoints"));
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        String[] r = run("sample", "--checkpoint", runDir.toString(), "--steps", "20", "--chains", "50", "--seed", "3",
                "--output", a.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        String[] r2 = run("sample", "--checkpoint", runDir.resolve("checkpoints").toString(), "--steps", "20",
                "--chains", "50", "--seed", "3", "--output", b.toString());
        assertEquals("0", r2[0], r2[1] + r2[2]);
        BufferedImage png = ImageIO.read(a.resolve("samples.png").toFile());
        assertNotNull(png);
        assertFalse(isBlank(png), "the picture is one colour");
        List<String> csv = Files.readAllLines(a.resolve("samples.csv"));
        assertEquals("x,y", csv.get(0));
        assertEquals(51, csv.size());
        assertEquals(2, csv.get(1).split(",").length);
        assertArrayEquals(Files.readAllBytes(a.resolve("samples.csv")), Files.readAllBytes(b.resolve("samples.csv")));
        String[] r3 = run("sample", "--checkpoint", runDir.toString(), "--steps", "20", "--chains", "50", "--seed", "4",
                "--output", b.toString());
        assertEquals("0", r3[0], r3[1] + r3[2]);
        assertFalse(Files.readAllLines(b.resolve("samples.csv")).equals(csv), "another seed gives other samples");
        assertEquals(before, listing(runDir.resolve("checkpoints")), "the checkpoint directory is untouched");
    }

    @Test
    void evaluatesAToyRunDeterministically() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        String[] r = run("eval", "--checkpoint", runDir.toString(), "--samples", "300", "--output", a.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("Fisher divergence"), r[1]);
        String[] r2 = run("eval", "--checkpoint", runDir.toString(), "--dataset", "gaussian-mixture", "--samples", "300",
                "--output", b.toString());
        assertEquals("0", r2[0], r2[1] + r2[2]);
        @SuppressWarnings("unchecked")
        Map<String, Object> sa = new ObjectMapper().readValue(a.resolve("eval-summary.json").toFile(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> sb = new ObjectMapper().readValue(b.resolve("eval-summary.json").toFile(), Map.class);
        double loss = ((Number) sa.get("loss")).doubleValue();
        double fisher = ((Number) sa.get("fisherDivergence")).doubleValue();
        assertTrue(Double.isFinite(loss), "loss " + loss);
        assertTrue(Double.isFinite(fisher) && fisher >= 0, "Fisher divergence " + fisher);
        assertEquals(300, ((Number) sa.get("examples")).intValue());
        assertFalse(((Map<?, ?>) sa.get("terms")).isEmpty());
        assertEquals(sa.get("loss"), sb.get("loss"));
        assertEquals(sa.get("terms"), sb.get("terms"));
        assertEquals(sa.get("fisherDivergence"), sb.get("fisherDivergence"));
    }

    @Test
    void samplesAnImageModelAsAGrid() throws Exception {
        Recipe recipe = Recipes.get("mlp-score-2d");
        Model net = recipe.build(new long[] {16}, new Adam(1e-3), 1);
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net).objective(DenoisingScoreMatching.withSigma(0.1))
                .energyHead(recipe.energyHead()).seed(1).build();
        Path file = dir.resolve("image-run/checkpoint-step-00000000.zip");
        Checkpoint.write(net, trainer.state(), file);
        Path out = dir.resolve("img");
        String[] r = run("sample", "--checkpoint", file.toString(), "--steps", "5", "--chains", "9", "--output",
                out.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        BufferedImage png = ImageIO.read(out.resolve("samples.png").toFile());
        assertNotNull(png);
        assertFalse(isBlank(png));
        List<String> csv = Files.readAllLines(out.resolve("samples.csv"));
        assertEquals(10, csv.size());
        assertEquals(16, csv.get(1).split(",").length);
    }

    @Test
    void aMissingCheckpointIsOneLineAndExitCode2() {
        Path missing = dir.resolve("nope.zip");
        for (String cmd : new String[] {"sample", "eval"}) {
            String[] r = run(cmd, "--checkpoint", missing.toString());
            assertOneLineError(r, missing.toString());
        }
        String[] r = run("sample", "--checkpoint", dir.toString());
        assertOneLineError(r, "checkpoint-step");
    }

    @Test
    void aTextFileNamedZipIsRejected() throws Exception {
        Path fake = dir.resolve("checkpoint-step-00000001.zip");
        Files.writeString(fake, "this is not a zip\n");
        assertOneLineError(run("sample", "--checkpoint", fake.toString()), fake.toString());
        assertOneLineError(run("eval", "--checkpoint", dir.toString(), "--dataset", "rings"), fake.toString());
    }

    @Test
    void aTruncatedCheckpointIsRejected() throws Exception {
        Path good = ScoreMatchingTrainer.latestCheckpoint(runDir.resolve("checkpoints"));
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertOneLineError(run("eval", "--checkpoint", cut.toString(), "--dataset", "rings"), cut.toString());
    }

    @Test
    void aPlainDl4jModelIsNotAnSsm4jCheckpoint() throws Exception {
        Model net = Recipes.get("mlp-score-2d").build(new long[] {2}, new Adam(1e-3), 1);
        Path plain = dir.resolve("plain.zip");
        ModelSerializer.writeModel(net, plain.toFile(), true);
        String[] r = run("sample", "--checkpoint", plain.toString());
        assertOneLineError(r, plain.toString());
        assertTrue(r[2].contains("ssm4j"), r[2]);
    }

    private static void assertOneLineError(String[] r, String mentions) {
        assertEquals("2", r[0], r[1] + r[2]);
        String err = r[2].strip();
        assertTrue(err.startsWith("ssm: "), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(mentions), err);
        assertFalse(err.contains("\tat "), err);
    }

    private static boolean isBlank(BufferedImage img) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                if (img.getRGB(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }
}
