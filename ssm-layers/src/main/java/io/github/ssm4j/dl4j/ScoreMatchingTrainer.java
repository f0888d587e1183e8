package io.github.ssm4j.dl4j;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import io.github.ssm4j.dl4j.internal.NetworkAdapter;
import io.github.ssm4j.dl4j.internal.TranslatedGraph;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import io.github.ssm4j.train.internal.DeadParameterWatch;
import io.github.ssm4j.util.Finiteness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * Trains an existing DL4J network by score matching. The network is translated to SameDiff once; each step
 * evaluates the objective's loss and gradients there and hands the gradients to the <b>network's own</b>
 * updater, exactly as DL4J's optimiser would, so after training the network is an ordinary DL4J network:
 * {@code net.output(x)} is the learned score (or the energy head's input), and ModelSerializer saves and
 * restores it with its updater state.
 *
 * <pre>{@code
 * ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net)
 *         .objective(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER))
 *         .seed(42).listeners(new LoggingListener(100)).build();
 * trainer.fit(trainIterator, 10);
 * }</pre>
 *
 * <p>Randomness: step k draws its projections or noise from a generator seeded by (seed, k), so a run is
 * reproducible and a run resumed from a {@link Checkpoint} continues exactly as if uninterrupted.
 * A non-finite loss or gradient stops training with a message naming the step; the weights of that step
 * are not changed and earlier checkpoints stay as they were.
 *
 * <p>Stability: public API.
 */
public final class ScoreMatchingTrainer {
    private final NetworkAdapter network;
    private final TranslatedNetwork translation;
    private final ObjectiveGraph graph;
    private final TrainerState config;
    private final List<ScoreMatchingListener> listeners;
    private final CheckpointPolicy checkpoints;
    private final Map<String, String> networkKeys;
    private final Map<String, ParameterBinding> bindings = new java.util.HashMap<>();   // by variable name
    private final Map<String, INDArray[]> transposedGradients = new java.util.HashMap<>();
    /** Steps between checks for parameters that no gradient reaches (one reduction per parameter). */
    static final int DEAD_CHECK_INTERVAL = DeadParameterWatch.DEFAULT_INTERVAL;
    private final DeadParameterWatch deadParameters = new DeadParameterWatch(DEAD_CHECK_INTERVAL);
    private int batchesDoneInEpoch;

    private ScoreMatchingTrainer(Builder b) {
        this.network = NetworkAdapter.of(b.network);
        this.translation = b.translation;
        this.config = new TrainerState(b.objective, b.energyHead, b.noiseLevelInput, b.seed, b.batchesDoneInEpoch,
                b.inputTypes);
        this.listeners = List.copyOf(b.listeners);
        this.checkpoints = b.checkpoints;
        this.batchesDoneInEpoch = b.batchesDoneInEpoch;
        this.graph = b.objective.attach(scoreFunction(translation, b.energyHead, b.noiseLevelInput));
        this.networkKeys = translation.networkKeys();
        for (ParameterBinding binding : translation.bindings()) {
            bindings.put(binding.variable(), binding);
        }
    }

    /** A builder for training {@code network} (a MultiLayerNetwork or ComputationGraph). */
    public static Builder builder(Model network) {
        return new Builder(network);
    }

    /** A builder that continues from a checkpoint: its network, objective, seed and position in the data. */
    public static Builder resume(Checkpoint checkpoint) {
        TrainerState s = checkpoint.state();
        Builder b = new Builder(checkpoint.network()).objective(s.objective()).energyHead(s.energyHead()).seed(s.seed());
        b.noiseLevelInput = s.noiseLevelInput();
        b.batchesDoneInEpoch = s.batchesDoneInEpoch();
        b.inputTypes = s.inputTypes();
        return b;
    }

    private static ScoreFunction scoreFunction(TranslatedNetwork t, EnergyHead head, String noiseInput) {
        SDVariable x = null;
        SDVariable sigma = null;
        for (SDVariable in : t.inputs()) {
            if (noiseInput != null && in.name().equals(noiseInput)) {
                sigma = in;
            } else if (x == null) {
                x = in;
            }
        }
        if (noiseInput != null && sigma == null) {
            throw new IllegalArgumentException("The network has no input named '" + noiseInput + "' for the noise "
                    + "level; its inputs are " + t.inputs().stream().map(SDVariable::name).toList());
        }
        if (x == null) {
            throw new IllegalArgumentException("The network has no data input besides the noise level");
        }
        ScoreFunction f;
        if (head == EnergyHead.NONE) {
            long[] in = x.placeholderShape();
            long[] out = StaticShapes.of(t.sameDiff()).shapeOf(t.output());
            if (!Arrays.equals(in, out)) {
                throw new IllegalArgumentException("The network's output has shape " + Arrays.toString(out)
                        + " but its input has shape " + Arrays.toString(in) + ". Either make it a score "
                        + "network (output shaped like the input, e.g. an identity-activation output layer with nOut "
                        + "= the input size), or choose an energy head (.energyHead(EnergyHead.OUTPUT / SUM / "
                        + "NEGATIVE_LOG_SUM_EXP)) so the output is read as an energy E(x) with s = −∇ₓE.");
            }
            f = ScoreFunction.ofScore(x, t.output());
        } else {
            f = ScoreFunction.ofEnergy(x, head.energy(t));
        }
        return sigma == null ? f : f.conditionedOn(sigma);
    }

    /**
     * Parameters whose gradient was exactly zero at two checks in a row ({@value #DEAD_CHECK_INTERVAL} steps
     * apart) — no path from the loss reaches them; each is also logged once as a warning when found.
     */
    public Set<String> deadParameters() {
        return deadParameters.reported();
    }

    /** The objective graph (the translated network with the loss attached). */
    public ObjectiveGraph graph() {
        return graph;
    }

    /** The score model with the network's current parameters, for sampling and evaluation. */
    public ScoreFunction scoreFunction() {
        translation.pullParameters();
        return graph.model();
    }

    /** The configuration a checkpoint of this trainer stores. */
    public TrainerState state() {
        return config.atBatch(batchesDoneInEpoch);
    }

    /** One step on batch {@code x}; returns the loss and terms before the update. (Checkpoints are written by {@code fit}.) */
    public ObjectiveEvaluation step(INDArray x) {
        // drawsForStep's values, in arrays the graph reuses from step to step
        return step(x, graph.drawForStep(x, stepRandom(config.seed(), network.iterationCount())));
    }

    /**
     * One step with explicit projections or noise (deterministic training, tests, comparisons). The
     * gradients in the returned evaluation are arrays the trainer reuses at the next step: copy them to keep
     * them ({@link #evaluate} returns copies).
     */
    public ObjectiveEvaluation step(INDArray x, RandomDraws draws) {
        int iteration = network.iterationCount();
        ObjectiveEvaluation e;
        try {
            translation.pullParameters();
            e = byNetworkKeys(graph.evaluateForStep(x, null, draws));
        } catch (ArithmeticException ex) {
            throw new ArithmeticException("Step " + (iteration + 1) + " (epoch " + network.epochCount() + "): "
                    + ex.getMessage() + ". Training stopped; the weights are those after step " + iteration);
        }
        // one reduction over the network's flat gradient view; per parameter only to name the culprit
        Gradient written = network.writeGradients(e.gradients());
        if (!network.writtenGradientsSumFinite()) {
            for (Map.Entry<String, INDArray> g : e.gradients().entrySet()) {
                if (!Finiteness.sumIsFinite(g.getValue())) {
                    throw new ArithmeticException("Step " + (iteration + 1) + " (epoch " + network.epochCount()
                            + "): the gradient of " + g.getKey() + " is not finite (loss " + e.loss()
                            + "). Training stopped; the weights are those after step " + iteration);
                }
            }
        }
        network.update(written);
        network.setScore(e.loss());
        int step = network.iterationCount();
        deadParameters.check(step, e.gradients());
        for (TrainingListener l : network.listeners()) {
            l.iterationDone(network.model(), step - 1, network.epochCount());
        }
        for (ScoreMatchingListener l : listeners) {
            l.stepDone(step, network.epochCount(), e, (int) x.size(0));
        }
        return e;
    }

    /**
     * Deterministic evaluation at the network's current parameters: loss, terms and (if requested) the
     * gradients, keyed by the network's parameter keys ("0_W", "conv1_b"), for the given draws.
     */
    public ObjectiveEvaluation evaluate(INDArray x, RandomDraws draws, boolean withGradients) {
        translation.pullParameters();
        return byNetworkKeys(graph.evaluate(x, null, draws, withGradients));
    }

    /**
     * The evaluation with gradients keyed by the network's parameter keys instead of graph variable names, and
     * shaped as the network's parameters (a transposed binding's gradient as a transposed view).
     */
    private ObjectiveEvaluation byNetworkKeys(ObjectiveEvaluation e) {
        if (e.gradients() == null) {
            return e;
        }
        Map<String, INDArray> byKey = new LinkedHashMap<>();
        e.gradients().forEach((k, v) -> byKey.put(networkKeys.get(k), inNetworkLayout(k, v)));
        return new ObjectiveEvaluation(e.loss(), e.terms(), byKey);
    }

    /**
     * {@code gradient} of variable {@code variable} as the network shapes it. The step's gradient arrays come
     * back every step, so each transposed view is kept while its array does (a view costs an off-heap shape
     * buffer; see NetworkAdapter's reshape cache).
     */
    private INDArray inNetworkLayout(String variable, INDArray gradient) {
        ParameterBinding b = bindings.get(variable);
        if (b == null || !b.transposed()) {
            return gradient;
        }
        INDArray[] kept = transposedGradients.get(variable);   // {gradient, its transposed view}
        if (kept == null || kept[0] != gradient) {
            kept = new INDArray[] {gradient, b.toNetworkLayout(gradient)};
            transposedGradients.put(variable, kept);
        }
        return kept[1];
    }

    /** The draws step {@code iteration} of this trainer uses for batch {@code x}. */
    public RandomDraws drawsForStep(INDArray x, int iteration) {
        return graph.draw(x, stepRandom(config.seed(), iteration));
    }

    /** Trains {@code epochs} epochs; a partly trained epoch (after {@link #resume}) is finished first. */
    public void fit(DataSetIterator data, int epochs) {
        fit(new Batches(data), epochs);
    }

    /** As {@link #fit(DataSetIterator, int)}, with x the first features array of each MultiDataSet. */
    public void fit(MultiDataSetIterator data, int epochs) {
        fit(new Batches(data), epochs);
    }

    /** Trains until the network's epoch count reaches {@code totalEpochs}: the same call before and after a resume. */
    public void fitToEpoch(DataSetIterator data, int totalEpochs) {
        fit(data, Math.max(0, totalEpochs - network.epochCount()));
    }

    /**
     * Trains until the network's iteration count reaches {@code totalSteps}, epoch after epoch, stopping
     * mid-epoch if that is where the count is reached (a checkpoint is then written, and {@link #resume}
     * continues that epoch). The same call before and after a resume.
     */
    public void fitToStep(DataSetIterator data, int totalSteps) {
        if (totalSteps < 0) {
            throw new IllegalArgumentException("Steps must be ≥ 0, got " + totalSteps);
        }
        fit(new Batches(data), Integer.MAX_VALUE, totalSteps);
    }

    private void fit(Batches data, int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("Epochs must be ≥ 0, got " + epochs);
        }
        fit(data, epochs, Long.MAX_VALUE);
    }

    /** Up to {@code epochs} epochs, stopping as soon as the iteration count reaches {@code stepLimit}. */
    private void fit(Batches data, int epochs, long stepLimit) {
        for (int e = 0; e < epochs && network.iterationCount() < stepLimit; e++) {
            int epoch = network.epochCount();
            for (TrainingListener l : network.listeners()) {
                l.onEpochStart(network.model());
            }
            data.reset();
            int skip = batchesDoneInEpoch;
            int batch = 0;
            while (data.hasNext()) {
                INDArray x = data.next();
                if (batch < skip) {
                    batch++;
                    continue;
                }
                if (network.iterationCount() >= stepLimit) {
                    if (checkpoints != null && network.iterationCount() % checkpoints.everySteps() != 0) {
                        writeCheckpoint();
                    }
                    return;
                }
                try {
                    step(x);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("Batch " + batch + " of epoch " + epoch + ": "
                            + ex.getMessage(), ex);
                }
                batch++;
                batchesDoneInEpoch = batch;
                if (checkpoints != null && network.iterationCount() % checkpoints.everySteps() == 0) {
                    writeCheckpoint();
                }
            }
            if (batch == 0) {
                throw new IllegalArgumentException("The iterator gave no batches in epoch " + epoch);
            }
            batchesDoneInEpoch = 0;
            network.incrementEpochCount();
            for (TrainingListener l : network.listeners()) {
                l.onEpochEnd(network.model());
            }
            for (ScoreMatchingListener l : listeners) {
                l.epochDone(epoch);
            }
            if (checkpoints != null) {
                writeCheckpoint();
            }
        }
    }

    /**
     * The objective's loss and terms over a whole iterator (no training): the mean over all examples, with
     * draws from a generator seeded by (seed, batch index), so repeated evaluations agree.
     */
    public ObjectiveEvaluation evaluate(DataSetIterator data) {
        Batches batches = new Batches(data);
        batches.reset();
        translation.pullParameters();
        double loss = 0;
        Map<String, Double> terms = new LinkedHashMap<>();
        long examples = 0;
        int batch = 0;
        while (batches.hasNext()) {
            INDArray x = batches.next();
            RandomDraws draws = graph.drawForStep(x, stepRandom(~config.seed(), batch));   // consumed at once
            ObjectiveEvaluation e = graph.evaluate(x, null, draws, false);
            long n = x.size(0);
            loss += e.loss() * n;
            e.terms().forEach((k, v) -> terms.merge(k, v * n, Double::sum));
            examples += n;
            batch++;
        }
        if (examples == 0) {
            throw new IllegalArgumentException("The iterator gave no examples to evaluate");
        }
        final long total = examples;
        Map<String, Double> means = new HashMap<>();
        terms.forEach((k, v) -> means.put(k, v / total));
        return new ObjectiveEvaluation(loss / total, means, null);
    }

    private void writeCheckpoint() {
        Path file = checkpoints.directory().resolve(String.format("checkpoint-step-%08d.zip", network.iterationCount()));
        Checkpoint.write(network.model(), state(), file);
        pruneCheckpoints();
    }

    private void pruneCheckpoints() {
        try (Stream<Path> files = Files.list(checkpoints.directory())) {
            List<Path> all = new ArrayList<>(files.filter(p -> p.getFileName().toString().matches(
                    "checkpoint-step-\\d+\\.zip")).sorted().toList());
            for (int i = 0; i < all.size() - checkpoints.keepLast(); i++) {
                Files.deleteIfExists(all.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prune old checkpoints in " + checkpoints.directory(), e);
        }
    }

    /** The generator for step (or evaluation batch) {@code k}: a SplitMix64 hash of (seed, k). */
    static SplittableRandom stepRandom(long seed, long k) {
        long z = seed + (k + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }

    /** The newest checkpoint in {@code directory}, or null. */
    public static Path latestCheckpoint(Path directory) {
        if (!Files.isDirectory(directory)) {
            return null;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().matches("checkpoint-step-\\d+\\.zip")).sorted()
                    .reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where and how often to checkpoint. */
    public record CheckpointPolicy(Path directory, int everySteps, int keepLast) {
        public CheckpointPolicy {
            if (everySteps < 1 || keepLast < 1) {
                throw new IllegalArgumentException("Checkpoint every n ≥ 1 steps and keep ≥ 1, got every "
                        + everySteps + ", keep " + keepLast);
            }
        }
    }

    /** DL4J-style builder. */
    public static final class Builder {
        private final Model network;
        private ScoreMatchingObjective objective = SlicedScoreMatching.varianceReduced(Projection.RADEMACHER);
        private EnergyHead energyHead = EnergyHead.NONE;
        private String noiseLevelInput;
        private long seed = 42;
        private final List<ScoreMatchingListener> listeners = new ArrayList<>();
        private CheckpointPolicy checkpoints;
        private TranslatedNetwork translation;
        private InputType[] inputTypes;
        private int batchesDoneInEpoch;

        private Builder(Model network) {
            this.network = network;
            NetworkAdapter.of(network); // fails early for unsupported model types
        }

        /** The objective; SSM-VR with Rademacher projections by default. */
        public Builder objective(ScoreMatchingObjective objective) {
            this.objective = objective;
            return this;
        }

        /** How the output becomes a score model; {@link EnergyHead#NONE} (a score network) by default. */
        public Builder energyHead(EnergyHead head) {
            this.energyHead = head;
            return this;
        }

        /** For noise-conditional ComputationGraphs: the input that carries σ (shape [N, 1]). */
        public Builder noiseLevelInput(String inputName) {
            this.noiseLevelInput = inputName;
            return this;
        }

        /** Seed of the per-step projections and noise (42 by default). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder listeners(ScoreMatchingListener... ls) {
            listeners.addAll(List.of(ls));
            return this;
        }

        /** Checkpoint every {@code everySteps} steps and after every epoch into {@code directory}, keeping the last {@code keepLast}. */
        public Builder checkpoints(Path directory, int everySteps, int keepLast) {
            this.checkpoints = new CheckpointPolicy(directory, everySteps, keepLast);
            return this;
        }

        /**
         * The input types of the network's inputs, for networks whose configuration does not reveal its input
         * sizes (convolutional inputs, extra inputs such as σ); passed to {@link NetworkTranslator}.
         */
        public Builder inputTypes(InputType... types) {
            this.inputTypes = types.clone();
            return this;
        }

        private TranslatedNetwork translate() {
            if (network instanceof ComputationGraph cg) {
                return inputTypes == null ? NetworkTranslator.translate(cg) : NetworkTranslator.translate(cg, inputTypes);
            }
            MultiLayerNetwork mln = (MultiLayerNetwork) network;
            if (inputTypes == null) {
                return NetworkTranslator.translate(mln);
            }
            if (inputTypes.length != 1) {
                throw new IllegalArgumentException("A MultiLayerNetwork has one input; got " + inputTypes.length
                        + " input types");
            }
            return NetworkTranslator.translate(mln, inputTypes[0]);
        }

        /** Use this translation of the network instead of translating it (for custom translations). */
        public Builder translation(TranslatedNetwork translation) {
            this.translation = translation;
            return this;
        }

        public ScoreMatchingTrainer build() {
            if (objective == null || energyHead == null) {
                throw new IllegalArgumentException("Objective and energy head must not be null");
            }
            if (translation == null) {
                translation = translate();
                if (translation instanceof TranslatedGraph own) {
                    own.shareNetworkMemory();   // no copy of the parameters into the graph at every step
                }
            }
            return new ScoreMatchingTrainer(this);
        }
    }

    /** DataSetIterator and MultiDataSetIterator as a stream of x batches. */
    private static final class Batches {
        private final DataSetIterator single;
        private final MultiDataSetIterator multi;

        Batches(DataSetIterator it) {
            this.single = it;
            this.multi = null;
        }

        Batches(MultiDataSetIterator it) {
            this.single = null;
            this.multi = it;
        }

        void reset() {
            boolean supported = single != null ? single.resetSupported() : multi.resetSupported();
            if (!supported) {
                throw new IllegalArgumentException("The iterator cannot be reset, so it cannot be trained on for "
                        + "several epochs or evaluated; wrap the data in a resettable iterator");
            }
            if (single != null) {
                single.reset();
            } else {
                multi.reset();
            }
        }

        boolean hasNext() {
            return single != null ? single.hasNext() : multi.hasNext();
        }

        INDArray next() {
            if (single != null) {
                DataSet d = single.next();
                return d.getFeatures();
            }
            MultiDataSet m = multi.next();
            return m.getFeatures(0);
        }
    }
}
