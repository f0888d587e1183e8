package io.github.ssm4j.objective;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import io.github.ssm4j.model.ScoreFunction;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What an objective sees while adding its loss to the model's graph: the model, placeholders for its
 * per-batch inputs, and {@link #term} to declare the loss terms.
 *
 * <p>Terms are <i>per loss row</i>: the graph's loss is Σ_k scale_k · Σ_r w_r · term_k[r], where the row
 * weights w_r (placeholder {@link #rowWeights()}) are set per batch by the objective's feed, so that one
 * graph serves example weights, masks, M projections per example and chunked evaluation alike. Only full
 * reductions appear in that sum, which SameDiff evaluates and differentiates at any batch size.
 *
 * <p>Stability: public API for writing objectives; most users never see it.
 */
public final class TermBuilder {
    /** Prefix of every variable an objective adds, so they are easy to tell from the model's. */
    public static final String PREFIX = "ssm_";

    private final ScoreFunction model;
    private final SDVariable rowWeights;
    private final Map<String, Term> terms = new LinkedHashMap<>();
    /** Set by {@link NoiseLadder} around its inner objective: the model's σ input is fed by the wrapper. */
    private boolean noiseLevelFed;

    /** One declared term: its values ([R] or [R, D]), its per-row sums once known, and its constant scale. */
    record Term(SDVariable values, SDVariable rowValues, double scale) {
        boolean perRow() {
            return values == rowValues;
        }
    }

    TermBuilder(ScoreFunction model) {
        this.model = model;
        this.rowWeights = sd().placeHolder(PREFIX + "row_weight", model.dataType(), -1);
    }

    public ScoreFunction model() {
        return model;
    }

    boolean noiseLevelFed() {
        return noiseLevelFed;
    }

    void setNoiseLevelFed(boolean fed) {
        this.noiseLevelFed = fed;
    }

    public SameDiff sd() {
        return model.sameDiff();
    }

    /** The row-weight placeholder, shape {@code [R]}. */
    public SDVariable rowWeights() {
        return rowWeights;
    }

    /** A placeholder shaped like the model input ({@code [-1, ...]}), e.g. for projections or targets. */
    public SDVariable placeholderLikeInput(String name) {
        return sd().placeHolder(PREFIX + name, model.dataType(), model.inputShape());
    }

    /** Flattens {@code a} (shaped like a batch of inputs) to {@code [R, D]}. */
    public SDVariable flatten(SDVariable a) {
        long[] shape = StaticShapes.of(sd()).knownShapeOf(a);
        if (shape != null && shape.length == 2 && shape[1] == model.dimension()) {
            return a; // already [rows, D]: a reshape would only add an op (and its gradient) per step
        }
        SDVariable flat = sd().reshape(a, -1, model.dimension());
        StaticShapes.of(sd()).record(flat, new long[] {-1, model.dimension()});
        return flat;
    }

    /** Row sums of a {@code [R, D]} array: {@code [R]}. */
    public SDVariable rowSum(SDVariable flat) {
        SDVariable sum = model.dimension() == 1 ? sd().reshape(flat, -1) : flat.sum(1);
        StaticShapes.of(sd()).record(sum, new long[] {-1});
        return sum;
    }

    /** Declares a loss term given per row, shape {@code [R]}, times a constant {@code scale}. */
    public void rowTerm(String name, SDVariable perRow, double scale) {
        add(name, new Term(perRow, perRow, scale));
    }

    /**
     * Declares a loss term given per element of a flattened batch, shape {@code [R, D]} (see {@link #flatten}):
     * the term of row r is the sum of row r, times a constant {@code scale}.
     */
    public void elementTerm(String name, SDVariable perElement, double scale) {
        add(name, new Term(perElement, null, scale));
    }

    private void add(String name, Term term) {
        if (terms.containsKey(name)) {
            throw new IllegalArgumentException("Term '" + name + "' declared twice");
        }
        terms.put(name, term);
    }

    Map<String, Term> terms() {
        return terms;
    }
}
