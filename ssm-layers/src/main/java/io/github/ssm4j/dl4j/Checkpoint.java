package io.github.ssm4j.dl4j;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A training checkpoint: an ordinary ModelSerializer zip of the network (parameters, updater state,
 * iteration and epoch counters), plus one extra entry with the {@link TrainerState}. DL4J loads it like any
 * saved model; {@link #load} also returns the state so that {@link ScoreMatchingTrainer#resume} continues
 * exactly where training stopped.
 *
 * <p>Writes are atomic: the zip is written completely to a temporary file in the same directory and then
 * renamed over the target, so a crash leaves the previous checkpoint intact and never a half-written one.
 *
 * <p>Stability: public API.
 */
public record Checkpoint(Model network, TrainerState state) {
    /** Name of the zip entry that holds the trainer state. */
    public static final String STATE_ENTRY = "ssm4j-trainer-state";

    /** Writes {@code network} and {@code state} to {@code file}, atomically. */
    public static void write(Model network, TrainerState state, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".partial");
            ModelSerializer.writeModel(network, tmp.toFile(), true);
            ModelSerializer.addObjectToFile(tmp.toFile(), STATE_ENTRY, state.toJson());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write checkpoint " + file + "; the previous one is untouched", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a leftover *.partial file is never mistaken for a checkpoint
                }
            }
        }
    }

    /** Loads a checkpoint written by {@link #write} (or by the trainer). */
    public static Checkpoint load(Path file) {
        File f = file.toFile();
        if (!f.isFile()) {
            throw new IllegalArgumentException("No checkpoint at " + file.toAbsolutePath());
        }
        try {
            List<String> objects = ModelSerializer.listObjectsInFile(f);
            if (!objects.contains(STATE_ENTRY)) {
                throw new IllegalArgumentException(file + " is a DL4J model but not an ssm4j checkpoint (no '"
                        + STATE_ENTRY + "' entry); load it with ModelSerializer instead");
            }
            TrainerState state = TrainerState.fromJson(ModelSerializer.getObjectFromFile(f, STATE_ENTRY));
            Model net = isGraph(f) ? ModelSerializer.restoreComputationGraph(f, true)
                    : ModelSerializer.restoreMultiLayerNetwork(f, true);
            return new Checkpoint(net, state);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read checkpoint " + file, e);
        }
    }

    private static boolean isGraph(File f) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(f)) {
            java.util.zip.ZipEntry conf = zip.getEntry(ModelSerializer.CONFIGURATION_JSON);
            if (conf == null) {
                throw new IllegalArgumentException(f + " has no DL4J configuration entry");
            }
            String json = new String(zip.getInputStream(conf).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return json.contains("\"vertices\"");
        }
    }

    public MultiLayerNetwork multiLayerNetwork() {
        return (MultiLayerNetwork) network;
    }

    public ComputationGraph computationGraph() {
        return (ComputationGraph) network;
    }
}
