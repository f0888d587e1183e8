package io.github.ssm4j.objective;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.internal.ReplayCache;
import io.github.ssm4j.objective.internal.ReplayProgram;
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
 * <p>Gradient evaluations after the first for a given batch shape do not go through SameDiff's session:
 * the first one is traced and frozen into a {@link ReplayProgram} (the same kernels on the same inputs in
 * the same order, without SameDiff's per-op planning), which later ones run. Graphs it cannot replay
 * (control flow, random ops) stay on SameDiff; {@link #executionMode} says which. The system property
 * {@code ssm4j.replay=false} turns replay off, for comparison.
 *
 * <p>One thread at a time: replay programs, the kept draw and feed arrays ({@link ArrayArena}) and SameDiff's
 * graph are this object's own state. Evaluate one graph from several threads only with a lock around it.
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
    /** Gradient evaluations, replayed by feed signature. */
    private final ReplayCache gradientPrograms;
    /** Forward-only evaluations (held-out losses), replayed likewise. */
    private final ReplayCache forward;
    /** The arrays {@link #drawForStep} draws into, and those the objective builds its feeds in. */
    private final ArrayArena drawArena = new ArrayArena();
    private final ArrayArena feedArena = new ArrayArena();

    private ObjectiveGraph(ScoreMatchingObjective objective, ScoreFunction model, SDVariable loss,
                           Map<String, SDVariable> terms, Map<String, SDVariable> rowTerms) {
        this.objective = objective;
        this.model = model;
        this.loss = loss;
        this.terms = terms;
        this.rowTerms = rowTerms;
        this.trainable = model.trainableVariables();
        this.forward = new ReplayCache(model.sameDiff());
        this.gradientPrograms = new ReplayCache(model.sameDiff());
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

    /**
     * {@link #draw}'s values, in arrays this graph reuses: they are overwritten by the next
     * {@code drawForStep} on this graph, so they are for a trainer's own step, which consumes them at once
     * (ScoreMatchingTrainer, GraphTrainer). Do not release or keep them. Why: {@link ArrayArena}.
     */
    public RandomDraws drawForStep(INDArray x, SplittableRandom rng) {
        return drawArena.run(() -> draw(x, rng));
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
        return evaluate(x, weights, draws, withGradients, false);
    }

    /**
     * Loss, terms and gradients for one training step, with the gradients in arrays this graph reuses: they
     * are valid until the next {@code evaluateForStep} on this graph, and a trainer that applies them at once
     * (ScoreMatchingTrainer, GraphTrainer) needs no more. Why: a fresh copy of every gradient per step was
     * most of the page faults of a large step (≈ 1,200 of ≈ 1,500 for the 1.2 M-parameter benchmark network),
     * and a first touch of a page costs ≈ 14 µs on the benchmark machine. Values equal {@link #evaluate}'s.
     *
     * <p>Once replayed, a step whose batch is one feed returns its program's own output arrays, without a
     * copy (a pass over every parameter-sized array less per step). Steps have programs of their own, which
     * only this method runs, so an {@link #evaluate} in between (a listener's, say) leaves them alone.
     */
    public ObjectiveEvaluation evaluateForStep(INDArray x, INDArray weights, RandomDraws draws) {
        return evaluate(x, weights, draws, true, true);
    }

    private ObjectiveEvaluation evaluate(INDArray x, INDArray weights, RandomDraws draws, boolean withGradients,
                                         boolean reuseGradientArrays) {
        Batch batch = Batch.of(model, x, weights);
        List<Map<String, INDArray>> feeds = feedArena.run(() -> objective.feeds(batch, draws));   // used up below
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
                Map<String, INDArray> grads;
                // steps have programs of their own: their outputs are handed out until the next step
                String key = ReplayProgram.signature(feed) + (reuseGradientArrays ? " for a step" : "");
                ReplayProgram program = replay ? gradientPrograms.program(key) : null;
                if (program != null) {
                    values = program.run(feed);
                    grads = new HashMap<>();
                    for (Map.Entry<String, String> g : gradientNames().entrySet()) {
                        grads.put(g.getKey(), values.get(g.getValue()));
                    }
                } else {
                    OutAndGrad r = sameDiffGradients(key, feed, outputs);
                    values = r.getOutputs();
                    grads = r.getGradients();
                }
                if (program != null && reuseGradientArrays && feeds.size() == 1
                        && program.ownsDistinctOutputs(gradientNames().values())) {
                    gradientSums.putAll(grads);
                } else {
                    accumulate(gradientSums, grads, reuseGradientArrays);
                }
            } else if (replay) {
                values = forward.output(feed, outputs.toArray(new String[0]));
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
     * One gradient evaluation by SameDiff's session; the first for a feed signature is traced and, where it
     * can be, compiled into the replay program later evaluations of that signature run.
     */
    private OutAndGrad sameDiffGradients(String key, Map<String, INDArray> feed, List<String> outputs) {
        RecyclingMemMgr arrays = gradientArrays();
        if (arrays != null) {
            arrays.recycle(); // what the last evaluation returned was copied out (accumulate)
        }
        SameDiff sd = model.sameDiff();
        java.util.function.Supplier<OutAndGrad> execution =
                () -> QuietSameDiff.call(() -> sd.calculateGradientsAndOutputs(feed, outputs, trainable));
        if (!replay || sd.getFunction("grad") == null) {
            // the first call creates the gradient function; tracing starts with the second
            return execution.get();
        }
        List<String> requested = new ArrayList<>(outputs);
        requested.addAll(gradientNames().values());
        return gradientPrograms.execute(key, feed, requested, execution);
    }

    /** Trainable variable → its gradient's name in the gradient function (once that exists). */
    private Map<String, String> gradientNames() {
        if (gradientNames == null) {
            Map<String, String> names = new LinkedHashMap<>();
            for (String variable : trainable) {
                SDVariable g = model.sameDiff().getVariable(variable).getGradient();
                if (g == null) {
                    throw new IllegalStateException("Trainable variable '" + variable + "' does not influence the "
                            + objective.name() + " loss, so it would get no gradient; remove it or make it a constant");
                }
                names.put(variable, g.name());
            }
            gradientNames = names;
        }
        return gradientNames;
    }

    private Map<String, String> gradientNames;

    /**
     * How gradient evaluations run: "replay (N ops)" once a program has been compiled, "SameDiff" before
     * that or when replay is off, or "SameDiff (not replayable: reason)".
     */
    public String executionMode() {
        return gradientPrograms.mode();
    }

    private boolean replay = !"false".equalsIgnoreCase(System.getProperty("ssm4j.replay", "true"));

    /**
     * Turns replay on or off for later evaluations (on by default; off evaluates every batch by SameDiff's
     * session, as without replay). Programs already compiled are kept for when it is turned on again.
     */
    public ObjectiveGraph setReplay(boolean on) {
        this.replay = on;
        return this;
    }

    /**
     * Per-row term values (scaled as in the loss), for diagnostics and variance studies; one row per loss
     * row of a single-chunk feed (for the sliced objectives with M = 1, one row per example).
     */
    public Map<String, INDArray> rowTerms(INDArray x, RandomDraws draws) {
        List<Map<String, INDArray>> feeds = feedArena.run(() -> objective.feeds(Batch.of(model, x, null), draws));
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

    /** The arrays {@link #evaluateForStep} accumulates into, one per trainable variable, made on first use. */
    private final Map<String, INDArray> stepGradients = new HashMap<>();

    private void accumulate(Map<String, INDArray> sums, Map<String, INDArray> gradients, boolean reuse) {
        for (String name : trainable) {
            INDArray g = gradients.get(name);
            if (g == null) {
                throw new IllegalStateException("Trainable variable '" + name + "' does not influence the "
                        + objective.name() + " loss, so it would get no gradient; remove it or make it a constant");
            }
            INDArray sum = sums.get(name);
            if (sum != null) {
                sum.addi(g);
            } else if (reuse) {
                INDArray target = stepGradients.get(name);
                // same memory order as the program's array, so that this copy is a straight copy, not a transpose
                if (target == null || !java.util.Arrays.equals(target.shape(), g.shape())
                        || target.dataType() != g.dataType() || target.ordering() != g.ordering()) {
                    target = g.dup(g.ordering());
                    stepGradients.put(name, target);
                } else {
                    target.assign(g);
                }
                sums.put(name, target);
            } else {
                // a copy: the array is the session's or the replay program's, and the next evaluation reuses it
                sums.put(name, g.dup(g.ordering()));
            }
        }
    }
}
