package io.github.ssm4j.examples.cli;

import io.github.ssm4j.dl4j.Checkpoint;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A checkpoint named on the command line ({@code --checkpoint FILE|DIR}), loaded read-only, with the
 * trainer rebuilt from it and the run summary written next to it (if any). Every failure to find or read
 * it becomes an {@link IllegalArgumentException} with a one-line message naming the file, which
 * {@link SsmCommand} prints as {@code ssm: …} with exit code 2.
 */
record LoadedCheckpoint(Path file, Path runDirectory, org.deeplearning4j.nn.api.Model network, ScoreMatchingTrainer trainer,
                        Map<String, Object> runSummary) {
    private static final String EXPECTED = "expected an ssm4j checkpoint (a checkpoint-step-*.zip written by 'ssm train')";

    /** The file a {@code --checkpoint} argument names: the file itself, or the newest checkpoint of a directory. */
    static Path resolve(Path arg) {
        if (Files.isDirectory(arg)) {
            Path latest = ScoreMatchingTrainer.latestCheckpoint(arg);
            if (latest == null) {
                latest = ScoreMatchingTrainer.latestCheckpoint(arg.resolve("checkpoints"));
            }
            if (latest == null) {
                throw new IllegalArgumentException("No checkpoint-step-*.zip in " + arg + " (nor in "
                        + arg.resolve("checkpoints") + "); " + EXPECTED);
            }
            return latest;
        }
        if (!Files.isRegularFile(arg)) {
            throw new IllegalArgumentException("No checkpoint at " + arg + "; " + EXPECTED + " or a run directory");
        }
        return arg;
    }

    /** Loads the checkpoint that {@code arg} names and rebuilds its trainer (nothing is written). */
    static LoadedCheckpoint load(Path arg) {
        Path file = resolve(arg);
        ScoreMatchingTrainer trainer;
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.load(file);
            trainer = ScoreMatchingTrainer.resume(checkpoint).build();
        } catch (RuntimeException | LinkageError e) {
            String why = reason(e);
            if (why.startsWith(file.toString())) {
                why = why.substring(file.toString().length()).strip();
            }
            throw new IllegalArgumentException("Cannot read " + file + ": " + why + "; " + EXPECTED, e);
        }
        Path dir = file.toAbsolutePath().getParent();
        Path runDir = dir.getFileName() != null && dir.getFileName().toString().equals("checkpoints")
                ? dir.getParent() : dir;
        return new LoadedCheckpoint(file, runDir, checkpoint.network(), trainer, readSummary(runDir.resolve("run-summary.json")));
    }

    /** The toy dataset the run summary names, or null. */
    String summaryDataset() {
        Object d = runSummary == null ? null : runSummary.get("dataset");
        return d == null ? null : d.toString();
    }

    /** The zoo recipe the run summary names, or null. */
    String summaryModel() {
        Object m = runSummary == null ? null : runSummary.get("model");
        return m == null ? null : m.toString();
    }

    /** The zoo recipe the run summary names, or null if none or unknown. */
    io.github.ssm4j.examples.recipes.Recipe recipe() {
        String m = summaryModel();
        return m == null || !io.github.ssm4j.examples.recipes.Recipes.names().contains(m) ? null
                : io.github.ssm4j.examples.recipes.Recipes.get(m);
    }

    /** The training seed of the run summary, or the checkpoint's seed. */
    long trainingSeed() {
        Object s = runSummary == null ? null : runSummary.get("seed");
        return s instanceof Number n ? n.longValue() : trainer.state().seed();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readSummary(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readValue(file.toFile(), Map.class);
        } catch (Exception e) {
            return null; // a broken summary only costs the data overlay and defaults
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        String msg = null;
        while (t != null) {
            if (t instanceof java.util.zip.ZipException || t instanceof java.io.EOFException) {
                return "not a readable zip (" + oneLine(t.getMessage()) + ")";
            }
            if (msg == null && t.getMessage() != null && !t.getMessage().isBlank()) {
                msg = t.getMessage();
            }
            t = t.getCause();
        }
        return msg == null ? e.getClass().getSimpleName() : oneLine(msg);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
