package io.github.ssm4j.model;

import io.github.ssm4j.autodiff.Hvp;
import io.github.ssm4j.autodiff.internal.StaticShapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A model of the score ∇ₓ log p(x) inside a SameDiff graph, in one of two parameterisations:
 * <ul>
 *   <li>{@link #ofScore}: a <b>score network</b>, whose output has the shape of its input x and is s(x);</li>
 *   <li>{@link #ofEnergy}: an <b>energy model</b>, one scalar E(x) per example, with log p = −E − log Z and
 *       therefore <b>s = −∇ₓE</b> (built on demand by the differentiable VJP, so it can be trained).</li>
 * </ul>
 * Noise-conditional models s(x, σ) additionally name the placeholder that carries σ
 * ({@link #conditionedOn}).
 *
 * <p>The input must be a placeholder whose shape is declared with {@code -1} for the batch dimension only;
 * examples must be independent (row n of the output may depend only on row n of the input).
 *
 * <p>Stability: public API.
 */
public final class ScoreFunction {
    /** Which parameterisation the graph output is. */
    public enum Kind {
        SCORE, ENERGY
    }

    private final Kind kind;
    private final SDVariable input;
    private final SDVariable output;
    private final SDVariable noiseLevel;
    private SDVariable score;

    private ScoreFunction(Kind kind, SDVariable input, SDVariable output, SDVariable noiseLevel) {
        this.kind = kind;
        this.input = input;
        this.output = output;
        this.noiseLevel = noiseLevel;
        this.score = kind == Kind.SCORE ? output : null;
    }

    /** A score network: {@code score} must have exactly the shape of {@code input}. */
    public static ScoreFunction ofScore(SDVariable input, SDVariable score) {
        requireInput(input, score);
        long[] in = shapeOf(input);
        long[] out = shapeOf(score);
        if (!Arrays.equals(in, out)) {
            throw new IllegalArgumentException("A score network's output must have the shape of its input, but output '"
                    + score.name() + "' has shape " + Arrays.toString(out) + " and input '" + input.name()
                    + "' has shape " + Arrays.toString(in) + " (-1 = batch). For one scalar per example use "
                    + "ScoreFunction.ofEnergy.");
        }
        requireSameType(input, score);
        return new ScoreFunction(Kind.SCORE, input, score, null);
    }

    /** An energy model: {@code energy} must be one scalar per example, shape {@code [N]} or {@code [N, 1]}. */
    public static ScoreFunction ofEnergy(SDVariable input, SDVariable energy) {
        requireInput(input, energy);
        long[] out = shapeOf(energy);
        boolean perExample = out.length == 1 || (out.length == 2 && out[1] == 1);
        if (!perExample) {
            throw new IllegalArgumentException("An energy model's output must be one scalar per example, shape [N] or "
                    + "[N, 1], but output '" + energy.name() + "' has shape " + Arrays.toString(out)
                    + ". For an output shaped like the input use ScoreFunction.ofScore.");
        }
        requireSameType(input, energy);
        return new ScoreFunction(Kind.ENERGY, input, energy, null);
    }

    /**
     * The same model, conditioned on a noise level σ fed through {@code sigma}: a placeholder of shape
     * {@code [-1]} or {@code [-1, 1]} (one σ per example) used by noise-conditional objectives.
     */
    public ScoreFunction conditionedOn(SDVariable sigma) {
        if (sigma.getSameDiff() != input.getSameDiff() || sigma.getVariableType() != VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("The noise level '" + sigma.name() + "' must be a placeholder of the "
                    + "model's graph");
        }
        long[] s = sigma.placeholderShape();
        boolean perExample = s != null && (s.length == 1 || (s.length == 2 && s[1] == 1));
        if (!perExample) {
            throw new IllegalArgumentException("The noise level placeholder '" + sigma.name() + "' must have shape "
                    + "[-1] or [-1, 1] (one σ per example), but has " + Arrays.toString(s));
        }
        ScoreFunction conditioned = new ScoreFunction(kind, input, output, sigma);
        conditioned.score = score;
        return conditioned;
    }

    public Kind kind() {
        return kind;
    }

    public SameDiff sameDiff() {
        return input.getSameDiff();
    }

    /** The input placeholder x. */
    public SDVariable input() {
        return input;
    }

    /** The graph output: s(x) for a score network, E(x) for an energy model. */
    public SDVariable output() {
        return output;
    }

    /** The energy; only for {@link Kind#ENERGY}. */
    public SDVariable energy() {
        if (kind != Kind.ENERGY) {
            throw new IllegalStateException("'" + output.name() + "' is a score network, not an energy model");
        }
        return output;
    }

    /** s(x), shaped like x; for an energy model −∇ₓE, added to the graph on first use. */
    public SDVariable score() {
        if (score == null) {
            score = Hvp.energyScore(output, input);
        }
        return score;
    }

    /** The noise-level placeholder, or {@code null} for an unconditional model. */
    public SDVariable noiseLevel() {
        return noiseLevel;
    }

    public boolean isConditional() {
        return noiseLevel != null;
    }

    public DataType dataType() {
        return input.dataType();
    }

    /** The declared input shape, {@code -1} for the batch dimension. */
    public long[] inputShape() {
        return input.placeholderShape().clone();
    }

    /** D: the number of input values per example (the product of the non-batch dimensions). */
    public long dimension() {
        long[] s = inputShape();
        long d = 1;
        for (int i = 1; i < s.length; i++) {
            d *= s[i];
        }
        return d;
    }

    /** Names of the graph's trainable variables (SameDiff {@code VARIABLE}s). */
    public List<String> trainableVariables() {
        List<String> names = new ArrayList<>();
        for (SDVariable v : sameDiff().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                names.add(v.name());
            }
        }
        return names;
    }

    private static void requireInput(SDVariable input, SDVariable output) {
        if (input.getSameDiff() != output.getSameDiff()) {
            throw new IllegalArgumentException("Input '" + input.name() + "' and output '" + output.name()
                    + "' belong to different SameDiff graphs");
        }
        if (input.getVariableType() != VariableType.PLACEHOLDER) {
            throw new IllegalArgumentException("The model input '" + input.name() + "' must be a placeholder, not a "
                    + input.getVariableType());
        }
        long[] s = input.placeholderShape();
        if (s == null || s.length < 2 || s[0] != -1) {
            throw new IllegalArgumentException("The model input '" + input.name() + "' must be declared with shape "
                    + "[-1, ...] (batch first, every other dimension fixed), but has " + Arrays.toString(s));
        }
        for (int i = 1; i < s.length; i++) {
            if (s[i] <= 0) {
                throw new IllegalArgumentException("The model input '" + input.name() + "' must declare every "
                        + "dimension but the batch, but has shape " + Arrays.toString(s));
            }
        }
        if (!input.dataType().isFPType()) {
            throw new IllegalArgumentException("The model input '" + input.name() + "' must be floating point (FLOAT "
                    + "or DOUBLE), but is " + input.dataType());
        }
    }

    private static void requireSameType(SDVariable input, SDVariable output) {
        if (input.dataType() != output.dataType()) {
            throw new IllegalArgumentException("Output '" + output.name() + "' has dtype " + output.dataType()
                    + " but input '" + input.name() + "' has " + input.dataType() + "; build the model in one dtype");
        }
    }

    private static long[] shapeOf(SDVariable v) {
        return StaticShapes.of(v.getSameDiff()).shapeOf(v);
    }
}
