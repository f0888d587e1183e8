package io.github.ssm4j.dl4j.conditional;

import io.github.ssm4j.autodiff.internal.ReverseTransformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.DL4JSameDiffMemoryMgr;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's runtime SameDiff vertex with its backward pass replaced by a vector-Jacobian-product graph that
 * ssm4j's own derivative rules write into the vertex's graph ({@link ReverseTransformer}): one forward run
 * of that graph gives the gradients of the inputs and the parameters.
 *
 * <p>DL4J 1.0.0-M2.1's own backward pass, through SameDiff's gradient function and an
 * {@code ExternalErrorsFunction}, is wrong twice over:
 * <ul>
 *   <li>it back-propagates <b>twice</b> the incoming gradient: the external-errors op both registers ε as the
 *       output's gradient and returns it, and SameDiff adds the two. Every gradient of the vertex and of the
 *       layers before it is 2× too large;</li>
 *   <li>from the second backward pass on, the gradients it returns for the inputs are wrong, while those of
 *       the parameters stay right. Measured on the FiLM vertex in a small MLP: 0.30 at the first pass, then
 *       2e-310 for the same batch; central differences of the layer before the vertex were 13× off at the
 *       second step, and training gave that layer noise, differently from one JVM run to the next. DL4J
 *       builds the gradient function while a workspace is open, so arrays made then live in workspace memory
 *       that later passes reuse; with that one call moved out of the workspace, DL4J's own path passed the
 *       same gradient checks (measured). {@code SameDiffLayer} builds its gradient function outside a
 *       workspace and does not show it.</li>
 * </ul>
 * Neither happens here: the cotangent ε is an ordinary placeholder, and the gradients are ordinary outputs of
 * the same graph that the forward pass runs.
 */
final class VjpBackwardGraphVertex extends SameDiffGraphVertex {
    /** Name of the placeholder that carries the gradient of the vertex output. */
    private static final String COTANGENT = "ssm4j_vertex_output_cotangent";

    /** The inputs' gradient variables, in DL4J's input order, then the parameters'; null until first used. */
    private String[] gradientNames;
    /** The non-null entries of {@link #gradientNames}: what each backward pass asks the graph for. */
    private String[] requested;

    VjpBackwardGraphVertex(SameDiffVertex config, ComputationGraph graph, String name, int vertexIndex,
                           INDArray paramsView, boolean initParams, DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        // Outside DL4J's workspaces: the graph keeps what is created while it is built. DL4J builds its own
        // gradient function inside an open workspace, whose memory is reused afterwards (its stale gradients).
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (sameDiff == null) {
                doInit();
            }
            if (gradientNames == null) {
                gradientNames = writeBackwardGraph();
                requested = Arrays.stream(gradientNames).filter(Objects::nonNull).toArray(String[]::new);
            }
        }
        config.validateInput(inputs);
        List<String> inputNames = config.getVertexParams().getInputs();
        Map<String, INDArray> feed = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            feed.put(inputNames.get(i), inputs[i]);
            feed.put(inputNames.get(i) + "_mask", maskArrays != null && maskArrays[i] != null
                    ? maskArrays[i] : onesMask(inputs[i].shape()));
        }
        feed.put(COTANGENT, epsilon);
        allocateInBackwardWorkspaces(workspaceMgr);
        Map<String, INDArray> out = requested.length == 0 ? Map.of() : sameDiff.output(feed, requested);

        INDArray[] inputGradients = new INDArray[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            INDArray g = gradientNames[i] == null ? Nd4j.zeros(dataType, inputs[i].shape()) : out.get(gradientNames[i]);
            inputGradients[i] = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, g);        // leaves the session's memory
        }
        DefaultGradient gradient = new DefaultGradient();
        int k = inputs.length;
        for (String key : paramTable.keySet()) {
            INDArray view = gradTable.get(key);
            String g = gradientNames[k++];
            if (g == null) {
                view.assign(0);                                         // the output does not depend on it
            } else {
                view.assign(out.get(g));
            }
            gradient.gradientForVariable().put(key, view);
        }
        sameDiff.clearPlaceholders(true);
        sameDiff.clearOpInputs();
        return new Pair<>(gradient, inputGradients);
    }

    /**
     * Adds the cotangent placeholder and the VJP ops; returns the gradient variables' names, null where the
     * output does not depend on that input or parameter (its gradient is then exactly zero).
     */
    private String[] writeBackwardGraph() {
        // The rules learn shapes by running the graph once; the session that the forward pass left for this
        // thread allocates in DL4J's workspaces, which are not open here. A new one is made for the probe.
        sameDiff.getSessions().remove(Thread.currentThread().getId());
        long[] outputShape = epsilon.shape().clone();
        outputShape[0] = -1;
        SDVariable cotangent = sameDiff.placeHolder(COTANGENT, dataType, outputShape);
        List<SDVariable> wrt = new ArrayList<>();
        for (String input : config.getVertexParams().getInputs()) {
            wrt.add(sameDiff.getVariable(input));
        }
        for (String key : paramTable.keySet()) {
            wrt.add(sameDiff.getVariable(key));
        }
        SDVariable[] gradients = new ReverseTransformer(sameDiff).seed(outputVar, cotangent)
                .run(wrt.toArray(new SDVariable[0]));
        String[] names = new String[gradients.length];
        for (int i = 0; i < gradients.length; i++) {
            names[i] = gradients[i] == null ? null : gradients[i].name();
        }
        return names;
    }

    /** Has this thread's session allocate in DL4J's backward-pass workspaces, as the forward pass does in its own. */
    private void allocateInBackwardWorkspaces(LayerWorkspaceMgr workspaceMgr) {
        if (workspaceMgr.getWorkspaceName(ArrayType.ACTIVATION_GRAD) == null
                && !workspaceMgr.isScopedOut(ArrayType.ACTIVATION_GRAD)) {
            throw new IllegalStateException("vertex '" + getVertexName() + "': activation gradients have neither a"
                    + " workspace nor are scoped out of workspaces");
        }
        InferenceSession session = sameDiff.getSessions().computeIfAbsent(Thread.currentThread().getId(),
                id -> SameDiff.getInferenceFactory().create(sameDiff));
        session.setMmgr(new DL4JSameDiffMemoryMgr(
                workspaceMgr.getWorkspaceName(ArrayType.BP_WORKING_MEM),
                workspaceMgr.getWorkspaceName(ArrayType.ACTIVATION_GRAD),
                workspaceMgr.getConfiguration(ArrayType.BP_WORKING_MEM),
                workspaceMgr.getConfiguration(ArrayType.ACTIVATION_GRAD)));
    }

    /** The all-ones mask DL4J feeds a vertex input that has none: [N, 1], [N, T] or [N, 1, 1, 1]. */
    private INDArray onesMask(long[] shape) {
        return switch (shape.length) {
            case 2 -> Nd4j.ones(dataType, shape[0], 1);
            case 3 -> Nd4j.ones(dataType, shape[0], shape[2]);
            case 4 -> Nd4j.ones(dataType, shape[0], 1, 1, 1);
            default -> throw new IllegalArgumentException("vertex '" + getVertexName() + "': inputs of rank 2, 3 or"
                    + " 4 are supported, got shape " + Arrays.toString(shape));
        };
    }
}
