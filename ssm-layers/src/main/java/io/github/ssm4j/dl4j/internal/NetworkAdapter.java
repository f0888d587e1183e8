package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.train.internal.AdamKernel;
import io.github.ssm4j.util.Finiteness;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The parts of {@link MultiLayerNetwork} and {@link ComputationGraph} the trainer needs, behind one face:
 * parameter-table keys, the flattened gradient view, the network's own updater, iteration and epoch
 * counters, and its listeners. Applying a step the way DL4J's own SGD optimiser does (gradient into the
 * flattened view, {@code updater.update}, {@code params −= update}) keeps updater state, regularisation,
 * gradient normalisation and learning-rate schedules exactly DL4J's, and ModelSerializer's round trip intact.
 */
public abstract class NetworkAdapter {

    public static NetworkAdapter of(Model net) {
        if (net instanceof MultiLayerNetwork mln) {
            return new Mln(mln);
        }
        if (net instanceof ComputationGraph cg) {
            return new Graph(cg);
        }
        throw new IllegalArgumentException("Score matching trains a MultiLayerNetwork or a ComputationGraph, not a "
                + (net == null ? "null model" : net.getClass().getName()));
    }

    public abstract Model model();

    protected abstract BaseMultiLayerUpdater<?> updater();

    protected abstract INDArray gradientsView();

    public abstract int iterationCount();

    public abstract int epochCount();

    protected abstract void setIterationCount(int count);

    public abstract void incrementEpochCount();

    public abstract Collection<TrainingListener> listeners();

    public abstract void setScore(double score);

    /**
     * The first half of a step: writes {@code gradients} (keyed by "layer_param") into the network's
     * flattened gradient view and returns them as a DL4J gradient for {@link #update}. Gradients must be the
     * mean over the batch (DL4J's minibatch division is neutralised by passing a batch size of 1). Parameters
     * and updater state are not touched.
     */
    public Gradient writeGradients(Map<String, INDArray> gradients) {
        INDArray view = gradientsView();
        long written = 0;
        for (INDArray gradient : gradients.values()) {
            written += gradient.length();
        }
        if (written != view.length()) {   // parameters without a gradient (frozen layers) get zeros; when
            view.assign(0);               // every parameter has one, zeroing first (≈ 0.2 ms for 1 M) is wasted
        }
        Gradient g = new DefaultGradient(view);
        for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
            INDArray target = gradientView(e.getKey(), view);
            target.assign(shapedLike(e.getKey(), e.getValue(), target));
            g.setGradientFor(e.getKey(), target);
        }
        return g;
    }

    /**
     * Whether the sum of the written gradients is finite: one reduction over the whole view, false whenever
     * any gradient holds a NaN or ±∞ (and, rarely, when finite values sum past the float range).
     */
    public boolean writtenGradientsSumFinite() {
        return Finiteness.sumIsFinite(gradientsView());
    }

    /** The second half of a step: the network's own updater on {@code g}, {@code params −= update}, iteration + 1. */
    public void update(Gradient g) {
        INDArray view = gradientsView();
        BaseMultiLayerUpdater<?> updater = updater();
        if (blocksSeeTheGradientView(updater, view)) {
            // What BaseMultiLayerUpdater.update does for such a network, without its detour: DL4J 1.0.0-M2.1
            // takes every gradient for "external" (DefaultGradient.gradient() returns a new reshape, never the
            // network's view itself), and the external path rebuilds param and gradient views for every
            // parameter twice a step — most of a small network's update time (measured). The blocks' own views
            // are the same memory, so the arithmetic and the result are the same (ReplayEquivalence-style test:
            // UpdaterFastPathTest). The minibatch division it skips divides by 1.
            for (UpdaterBlock block : updater.getUpdaterBlocks()) {
                if (!block.skipDueToPretrainConfig(false) && !updatedByAdamKernel(block)) {
                    block.update(iterationCount(), epochCount());
                }
            }
        } else {
            updater.update(g, iterationCount(), epochCount(), 1, LayerWorkspaceMgr.noWorkspaces());
        }
        INDArray params = model().params();
        params.subi(shapedLike(FLAT_GRADIENTS, view, params));
        setIterationCount(iterationCount() + 1);
    }

    /**
     * {@code block.update} by {@link AdamKernel} (the same bits, without libnd4j's element-at-a-time square
     * root), when the block is plain Adam with no regularisation (L1, L2 and weight decay run around the
     * updater in {@code UpdaterBlock.update}); false, having done nothing, otherwise.
     */
    private boolean updatedByAdamKernel(UpdaterBlock block) {
        for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
            if (p.getLayer().numParams() == 0 || p.getLayer().getConfig() == null) {
                return false;
            }
            List<Regularization> r = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
            if (r != null && !r.isEmpty()) {
                return false;
            }
        }
        return AdamKernel.tryApply(block.getGradientUpdater(), block.getGradientView(), iterationCount(),
                epochCount());
    }

    /**
     * Whether the updater's blocks can be stepped directly: no layer normalises or clips its gradient (that
     * runs in BaseMultiLayerUpdater.update, before the blocks), and every block's gradient view is a view of
     * the network's flattened gradient array, where {@link #writeGradients} wrote.
     */
    static boolean blocksSeeTheGradientView(BaseMultiLayerUpdater<?> updater, INDArray view) {
        for (Trainable layer : updater.getLayersByName().values()) {
            if (layer.getConfig() != null && layer.numParams() > 0) {
                GradientNormalization n = layer.getConfig().getGradientNormalization();
                if (n != null && n != GradientNormalization.None) {
                    return false;
                }
            }
        }
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            if (block.getGradientView() == null || root(block.getGradientView()) != root(view)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code source} reshaped to {@code target}'s shape. The trainers hand in the same gradient arrays every
     * step, so the reshaped view is kept, one per parameter {@code key}, and reused while the same source
     * array comes back (an ND4J reshape allocates a shape buffer off-heap, with JavaCPP's memory check, on
     * every call); a reshape that had to copy is never kept.
     */
    private INDArray shapedLike(String key, INDArray source, INDArray target) {
        if (java.util.Arrays.equals(source.shape(), target.shape())) {
            return source;
        }
        INDArray[] cached = reshaped.get(key);   // {source, its reshaped view}
        if (cached != null && cached[0] == source && java.util.Arrays.equals(cached[1].shape(), target.shape())) {
            return cached[1];
        }
        INDArray view = source.reshape(target.shape());
        if (root(view) == root(source)) {
            reshaped.put(key, new INDArray[] {source, view});
        }
        return view;
    }

    private final Map<String, INDArray[]> reshaped = new java.util.HashMap<>();
    /** {@link #shapedLike}'s key for the flat gradient view shaped like the flat parameters (no parameter's key). */
    private static final String FLAT_GRADIENTS = "";

    /** The data buffer an array's memory belongs to (a view's buffer wraps the one it was cut from). */
    static org.nd4j.linalg.api.buffer.DataBuffer root(INDArray a) {
        org.nd4j.linalg.api.buffer.DataBuffer d = a.data();
        return d.originalDataBuffer() != null ? d.originalDataBuffer() : d;
    }

    /**
     * The view of the flattened gradient that belongs to parameter {@code key}: DL4J lays gradients out
     * exactly as parameters (its updaters rely on it), so the parameter's view geometry — shape, strides,
     * order, offset — applied to the gradient buffer gives it, for layers and parameterised vertices alike.
     */
    INDArray gradientView(String key, INDArray flatGradients) {
        if (cachedFor != flatGradients) {       // views are fixed while the flattened array is the same object
            cachedViews.clear();
            cachedFor = flatGradients;
        }
        INDArray cached = cachedViews.get(key);
        if (cached == null) {
            cached = newGradientView(key, flatGradients);
            cachedViews.put(key, cached);
        }
        return cached;
    }

    private final Map<String, INDArray> cachedViews = new java.util.HashMap<>();
    private INDArray cachedFor;

    private INDArray newGradientView(String key, INDArray flatGradients) {
        INDArray param = parameter(key);
        if (param == null) {
            throw new IllegalStateException("The network has no parameter '" + key + "'");
        }
        long offset = param.offset() - model().params().offset() + flatGradients.offset();
        return Nd4j.create(flatGradients.data(), param.shape(), param.stride(), offset, param.ordering());
    }

    /** The parameter view for a key "layer_param" (a vertex's parameters included). */
    protected abstract INDArray parameter(String key);

    private static final class Mln extends NetworkAdapter {
        private final MultiLayerNetwork net;

        Mln(MultiLayerNetwork net) {
            this.net = net;
            if (net.getGradientsViewArray() == null) {
                net.initGradientsView();
            }
        }

        @Override
        public Model model() {
            return net;
        }

        @Override
        protected BaseMultiLayerUpdater<?> updater() {
            return (BaseMultiLayerUpdater<?>) net.getUpdater(true);
        }

        @Override
        protected INDArray gradientsView() {
            return net.getGradientsViewArray();
        }

        @Override
        protected INDArray parameter(String key) {
            return net.getParam(key);
        }

        @Override
        public int iterationCount() {
            return net.getIterationCount();
        }

        @Override
        public int epochCount() {
            return net.getEpochCount();
        }

        @Override
        protected void setIterationCount(int count) {
            net.setIterationCount(count);
        }

        @Override
        public void incrementEpochCount() {
            net.incrementEpochCount();
        }

        @Override
        public Collection<TrainingListener> listeners() {
            return net.getListeners();
        }

        @Override
        public void setScore(double score) {
            net.setScore(score);
        }
    }

    private static final class Graph extends NetworkAdapter {
        private final ComputationGraph net;

        Graph(ComputationGraph net) {
            this.net = net;
            if (net.getGradientsViewArray() == null) {
                net.initGradientsView();
            }
        }

        @Override
        public Model model() {
            return net;
        }

        @Override
        protected BaseMultiLayerUpdater<?> updater() {
            return (BaseMultiLayerUpdater<?>) net.getUpdater(true);
        }

        @Override
        protected INDArray gradientsView() {
            return net.getGradientsViewArray();
        }

        @Override
        protected INDArray parameter(String key) {
            int cut = key.lastIndexOf('_');
            org.deeplearning4j.nn.graph.vertex.GraphVertex vertex = net.getVertex(key.substring(0, cut));
            return vertex == null ? null : vertex.paramTable(false).get(key.substring(cut + 1));
        }

        @Override
        public int iterationCount() {
            return net.getConfiguration().getIterationCount();
        }

        @Override
        public int epochCount() {
            return net.getConfiguration().getEpochCount();
        }

        @Override
        protected void setIterationCount(int count) {
            net.getConfiguration().setIterationCount(count);
        }

        @Override
        public void incrementEpochCount() {
            net.incrementEpochCount();
        }

        @Override
        public Collection<TrainingListener> listeners() {
            return net.getListeners();
        }

        @Override
        public void setScore(double score) {
            net.setScore(score);
        }
    }
}
