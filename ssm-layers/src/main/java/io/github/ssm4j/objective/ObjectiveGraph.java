package io.github.ssm4j.objective;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.util.OffHeapCollector;
import io.github.ssm4j.util.QuietSameDiff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An objective attached to a model's graph: the loss variable, one variable per term, and evaluation of
 * loss, terms and gradients for a batch.
 *
 * <p>The loss is Σ_k scale_k · Σ_r w_r · term_k[r] (see {@link TermBuilder}); it is set as the graph's loss
 * variable, so one objective per graph.
 *
 * <p>Gradient evaluations reuse the intermediate arrays of SameDiff's gradient session from one call to the
 * next (see {@code RecyclingMemMgr}); what {@link #evaluate} returns is copied out and stays valid. Arrays
 * obtained by calling SameDiff's own {@code calculateGradients} on this graph directly, on the same thread,
 * are reused by the next {@code evaluate}: copy them if they are kept.
 *
 * <p>Stability: public API.
 */
public final class ObjectiveGraph {
    private static final String LOSS = TermBuilder.PREFIX + "loss";

    private final ScoreMatchingObjective objective;
    private final ScoreFunction model;
    private final SDVariable loss;
    private final Map<String, SDVariable> terms;
    private final Map<String, SDVariable> rowTerms;
    private final List<String> trainable;

    private ObjectiveGraph(ScoreMatchingObjective objective, ScoreFunction model, SDVariable loss,
                           Map<String, SDVariable> terms, Map<String, SDVariable> rowTerms) {
        this.objective = objective;
        this.model = model;
        this.loss = loss;
        this.terms = terms;
        this.rowTerms = rowTerms;
        this.trainable = model.trainableVariables();
    }

    static ObjectiveGraph attach(ScoreMatchingObjective objective, ScoreFunction model) {
        SameDiff sd = model.sameDiff();
        if (sd.hasVariable(LOSS)) {
            throw new IllegalStateException("This graph already has a score-matching objective attached ('" + LOSS
                    + "'); build one graph per objective");
        }
        TermBuilder builder = new TermBuilder(model);
        objective.defineTerms(builder);
        if (builder.terms().isEmpty()) {
            throw new IllegalStateException("Objective " + objective.name() + " declared no terms");
        }
        SDVariable rowWeights = builder.rowWeights();
        SDVariable columnWeights = sd.reshape(rowWeights, -1, 1);
        Map<String, SDVariable> terms = new LinkedHashMap<>();
        Map<String, SDVariable> rowTerms = new LinkedHashMap<>();
        SDVariable total = null;
        for (Map.Entry<String, TermBuilder.Term> e : builder.terms().entrySet()) {
            TermBuilder.Term t = e.getValue();
            SDVariable weighted = t.values().mul(t.perRow() ? rowWeights : columnWeights);
            // a full reduction: SameDiff evaluates and differentiates it at every batch size, including 1
            SDVariable value = sd.sum(weighted).mul(t.scale());
            SDVariable named = sd.identity(TermBuilder.PREFIX + "term_" + e.getKey(), value);
            terms.put(e.getKey(), named);
            SDVariable perRow = t.perRow() ? t.values() : builder.rowSum(t.values());
            rowTerms.put(e.getKey(), perRow.mul(t.scale()));
            total = total == null ? named : total.add(named);
        }
        SDVariable loss = sd.identity(LOSS, total);
        StaticShapes.of(sd).record(loss, new long[0]);
        sd.setLossVariables(loss);
        return new ObjectiveGraph(objective, model, loss, terms, rowTerms);
    }

    public ScoreMatchingObjective objective() {
        return objective;
    }

    public ScoreFunction model() {
        return model;
    }

    /** The scalar loss variable. */
    public SDVariable loss() {
        return loss;
    }

    /** One scalar variable per term; they sum to the loss. */
    public Map<String, SDVariable> terms() {
        return Map.copyOf(terms);
    }

    /** Draws the randomness for a batch from {@code rng}: same seed, same draws. */
    public RandomDraws draw(INDArray x, SplittableRandom rng) {
        return objective.draw(model, (int) x.size(0), rng);
    }

    /** Loss, terms and gradients of every trainable variable, equal example weights. */
    public ObjectiveEvaluation evaluate(INDArray x, RandomDraws draws) {
        return evaluate(x, null, draws, true);
    }

    /**
     * Loss and terms for a batch, and the gradients of the loss w.r.t. every trainable variable if
     * {@code withGradients}.
     *
     * @param weights one non-negative weight per example (a 0/1 mask works), or {@code null} for equal weights;
     *                the loss is the weighted mean over examples
     */
    public ObjectiveEvaluation evaluate(INDArray x, INDArray weights, RandomDraws draws, boolean withGradients) {
        Batch batch = Batch.of(model, x, weights);
        List<Map<String, INDArray>> feeds = objective.feeds(batch, draws);
        List<String> outputs = new ArrayList<>();
        outputs.add(loss.name());
        terms.values().forEach(v -> outputs.add(v.name()));
        boolean gradients = withGradients && !trainable.isEmpty();
        double lossSum = 0;
        Map<String, Double> termSums = new LinkedHashMap<>();
        Map<String, INDArray> gradientSums = new HashMap<>();
        for (Map<String, INDArray> feed : feeds) {
            Map<String, INDArray> values;
            if (gradients) {
                RecyclingMemMgr arrays = gradientArrays();
                if (arrays != null) {
                    arrays.recycle(); // what the last evaluation returned was copied out (accumulate)
                }
                OutAndGrad r = QuietSameDiff.call(() -> model.sameDiff().calculateGradientsAndOutputs(feed, outputs,
                        trainable));
                values = r.getOutputs();
                accumulate(gradientSums, r.getGradients());
            } else {
                values = model.sameDiff().output(feed, outputs.toArray(new String[0]));
            }
            lossSum += values.get(loss.name()).getDouble(0);
            for (Map.Entry<String, SDVariable> t : terms.entrySet()) {
                termSums.merge(t.getKey(), values.get(t.getValue().name()).getDouble(0), Double::sum);
            }
        }
        OffHeapCollector.afterExecution();
        if (!Double.isFinite(lossSum)) {
            throw new ArithmeticException("The " + objective.name() + " loss is " + lossSum + " (terms " + termSums
                    + ") for a batch of finite inputs: the model's output overflowed or is undefined there");
        }
        return new ObjectiveEvaluation(lossSum, termSums, gradients ? gradientSums : null);
    }

    /**
     * Per-row term values (scaled as in the loss), for diagnostics and variance studies; one row per loss
     * row of a single-chunk feed (for the sliced objectives with M = 1, one row per example).
     */
    public Map<String, INDArray> rowTerms(INDArray x, RandomDraws draws) {
        List<Map<String, INDArray>> feeds = objective.feeds(Batch.of(model, x, null), draws);
        if (feeds.size() != 1) {
            throw new IllegalStateException(objective.name() + " evaluates this batch in " + feeds.size()
                    + " chunks; per-row terms need a single chunk");
        }
        List<String> names = new ArrayList<>();
        rowTerms.values().forEach(v -> names.add(v.name()));
        Map<String, INDArray> out = model.sameDiff().output(feeds.get(0), names.toArray(new String[0]));
        Map<String, INDArray> result = new LinkedHashMap<>();
        rowTerms.forEach((k, v) -> result.put(k, out.get(v.name())));
        return result;
    }

    /**
     * The recycling array source of this thread's gradient session, installed on first use (the gradient
     * function and its session exist after the first gradient evaluation); null before that.
     */
    private RecyclingMemMgr gradientArrays() {
        SameDiff grad = model.sameDiff().getFunction("grad");
        if (grad == null) {
            return null;
        }
        InferenceSession session = grad.getSessions().get(Thread.currentThread().getId());
        if (session == null) {
            return null;
        }
        if (session.getMmgr() instanceof RecyclingMemMgr r) {
            return r;
        }
        RecyclingMemMgr r = new RecyclingMemMgr();
        session.setMmgr(r);
        return r;
    }

    private void accumulate(Map<String, INDArray> sums, Map<String, INDArray> gradients) {
        for (String name : trainable) {
            INDArray g = gradients.get(name);
            if (g == null) {
                throw new IllegalStateException("Trainable variable '" + name + "' does not influence the "
                        + objective.name() + " loss, so it would get no gradient; remove it or make it a constant");
            }
            // a copy: the array is the session's (RecyclingMemMgr) and is reused by the next evaluation
            sums.merge(name, g.dup(), INDArray::addi);
        }
    }
}
