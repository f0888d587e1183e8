package io.github.ssm4j.objective.internal;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Where an input of a {@link ReplayStep} comes from on each run of a {@link ReplayProgram}. */
sealed interface StepInput permits StepInput.Buffer, StepInput.Placeholder, StepInput.Variable, StepInput.Fixed {
    INDArray array(SameDiff graph);

    /** The output buffer of an earlier op. */
    record Buffer(INDArray array) implements StepInput {
        public INDArray array(SameDiff graph) {
            return array;
        }
    }

    /** A placeholder: copied into {@code array} at the start of every run. */
    record Placeholder(String name, INDArray array) implements StepInput {
        public INDArray array(SameDiff graph) {
            return array;
        }
    }

    /** A trainable variable: looked up on every run (the trainer may update it in place or replace it). */
    record Variable(String name) implements StepInput {
        public INDArray array(SameDiff graph) {
            return graph.getArrForVarName(name);
        }
    }

    /** A constant array of the graph, or a constant made here. */
    record Fixed(INDArray array) implements StepInput {
        public INDArray array(SameDiff graph) {
            return array;
        }
    }
}
