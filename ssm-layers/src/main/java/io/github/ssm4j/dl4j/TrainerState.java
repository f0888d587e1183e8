package io.github.ssm4j.dl4j;

import io.github.ssm4j.objective.ScoreMatchingObjective;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.serde.JsonMappers;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.core.JsonProcessingException;

/**
 * What a checkpoint stores besides the DL4J network (whose parameters, updater state, and iteration and
 * epoch counters ModelSerializer keeps): the training configuration and the position in the data, so that
 * a resumed run draws the same projections for the same steps and continues at the same batch.
 *
 * @param objective the objective, with its options
 * @param energyHead how the network's output becomes a score model
 * @param noiseLevelInput the ComputationGraph input carrying σ for noise-conditional models, or null
 * @param seed the seed of the per-step draws
 * @param batchesDoneInEpoch batches of the current epoch already trained on
 * @param inputTypes the input types the network was translated with, or null when DL4J's configuration
 *                   reveals them
 *
 * <p>Stability: public API.
 */
public record TrainerState(@JsonProperty("objective") ScoreMatchingObjective objective,
                           @JsonProperty("energyHead") EnergyHead energyHead,
                           @JsonProperty("noiseLevelInput") String noiseLevelInput,
                           @JsonProperty("seed") long seed,
                           @JsonProperty("batchesDoneInEpoch") int batchesDoneInEpoch,
                           @JsonProperty("inputTypes") InputType[] inputTypes) {

    public String toJson() {
        try {
            return JsonMappers.getMapper().writeValueAsString(this);   // DL4J's mapper: InputType needs it
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write trainer state as JSON", e);
        }
    }

    public static TrainerState fromJson(String json) {
        try {
            return JsonMappers.getMapper().readValue(json, TrainerState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not an ssm4j trainer state: " + e.getMessage(), e);
        }
    }

    TrainerState atBatch(int batches) {
        return new TrainerState(objective, energyHead, noiseLevelInput, seed, batches, inputTypes);
    }
}
