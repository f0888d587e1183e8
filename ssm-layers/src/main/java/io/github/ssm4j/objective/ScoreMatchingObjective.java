package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A score-matching objective: a small, immutable, JSON-serialisable configuration that knows how to add its
 * loss to a model's graph ({@link #defineTerms}), which randomness a batch needs ({@link #draw}) and how to
 * feed a batch ({@link #feeds}). Use it through {@link #attach}, which returns the {@link ObjectiveGraph}
 * that evaluates and trains.
 *
 * <p>Built-in: {@link SlicedScoreMatching} (SSM and SSM-VR), {@link ImplicitScoreMatching} (ISM, exact
 * trace), {@link DenoisingScoreMatching} (single σ and noise-conditional), {@link FiniteDifferenceSsm}
 * (FD-SSM); {@link NoisedData} applies SSM, ISM or FD-SSM to Gaussian-smoothed data. Each states in its Javadoc the
 * quantity it is an unbiased estimate of.
 *
 * <p>Stability: public API.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@class")
public interface ScoreMatchingObjective {

    /** A short name for logs and run summaries ("ssm-vr", "ism", ...). */
    String name();

    /** The names of the loss terms, in the order they are declared; they sum to the loss. */
    List<String> termNames();

    /** Adds the loss terms to the model's graph; called once per graph by {@link #attach}. */
    void defineTerms(TermBuilder graph);

    /** Draws the randomness a batch of {@code batchSize} examples needs. */
    RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng);

    /**
     * Placeholder values (keyed by placeholder name) for one batch. Usually one map; several when the
     * objective evaluates a batch in chunks, whose losses, terms and gradients are then summed.
     */
    List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws);

    /** Adds this objective to the model's graph. */
    default ObjectiveGraph attach(ScoreFunction model) {
        return ObjectiveGraph.attach(this, model);
    }

    /** This configuration as JSON (with its class, as DL4J configurations are). */
    default String toJson() {
        try {
            return new ObjectMapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + this + " as JSON", e);
        }
    }

    /** Reads a configuration written by {@link #toJson}. */
    static ScoreMatchingObjective fromJson(String json) {
        try {
            return new ObjectMapper().readValue(json, ScoreMatchingObjective.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a score-matching objective configuration: " + e.getMessage(), e);
        }
    }
}
