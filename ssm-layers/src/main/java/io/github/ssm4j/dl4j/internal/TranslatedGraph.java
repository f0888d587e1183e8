package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.ParameterBinding;
import io.github.ssm4j.dl4j.TranslatedNetwork;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of a translation; copies parameters in place, so SameDiff's arrays keep their identity — except
 * where {@link #shareNetworkMemory} made a variable the network's own memory.
 */
public final class TranslatedGraph implements TranslatedNetwork {
    private final SameDiff sd;
    private final List<SDVariable> inputs;
    private final List<SDVariable> outputs;
    private final List<ParameterBinding> bindings;
    private final List<ParameterBinding> states;
    private final ParameterSource source;

    TranslatedGraph(SameDiff sd, List<SDVariable> inputs, List<SDVariable> outputs, List<ParameterBinding> bindings,
                    List<ParameterBinding> states, ParameterSource source) {
        this.sd = sd;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.bindings = List.copyOf(bindings);
        this.states = List.copyOf(states);
        this.source = source;
    }

    @Override
    public SameDiff sameDiff() {
        return sd;
    }

    @Override
    public List<SDVariable> inputs() {
        return inputs;
    }

    @Override
    public List<SDVariable> outputs() {
        return outputs;
    }

    @Override
    public List<ParameterBinding> bindings() {
        return bindings;
    }

    @Override
    public List<ParameterBinding> stateBindings() {
        return states;
    }

    @Override
    public void pullParameters() {
        for (List<ParameterBinding> list : List.of(bindings, states)) {
            for (ParameterBinding b : list) {
                INDArray network = source.get(b.layer(), b.parameter());
                if (network == sharedFrom.get(b.variable())) {
                    continue;   // the variable is this very memory
                }
                INDArray target = sd.getArrForVarName(b.variable());
                target.assign(b.toGraphLayout(network).castTo(target.dataType()));
            }
        }
    }

    @Override
    public void pushParameters() {
        for (ParameterBinding b : bindings) {
            INDArray network = source.get(b.layer(), b.parameter());
            if (network != sharedFrom.get(b.variable())) {
                INDArray target = b.toGraphLayout(network);
                target.assign(sd.getArrForVarName(b.variable()).castTo(target.dataType()));
            }
        }
    }

    /**
     * Makes every trainable variable a view of the network parameter it binds, where that parameter in the
     * graph's layout is already a view of the variable's shape, type, order and strides (dense weights held
     * transposed, convolution kernels; not DL4J's 'f'-flagged bias vectors): then {@link #pullParameters} has
     * nothing to copy for it, and writing the variable writes the network. For a trainer that owns this
     * translation and updates the network's parameters in place every step: the copy in was a read and a
     * write of every parameter per step (≈ 0.45 ms of the 1.07 M-parameter benchmark network's ≈ 22 ms,
     * docs/BENCHMARKS.md, change 20). Parameters in another type, or whose graph layout is not such a view,
     * stay copies. If the network later replaces a parameter array (a new object), pulls copy it into the
     * variable again, as for any translation.
     *
     * <p>Call it before the graph's first gradient evaluation: SameDiff's gradient function takes the
     * variables' array objects when it is created. It switches the graph to SameDiff's single-thread array
     * holders (those of its gradient function), because the default holder stores a copy of any view.
     *
     * @return how many variables now share the network's memory
     * @throws IllegalStateException if the gradient function exists already
     */
    public int shareNetworkMemory() {
        if (sd.getFunction("grad") != null) {
            throw new IllegalStateException("Share the network's memory before the graph's first gradient "
                    + "evaluation: SameDiff's gradient function keeps the variable arrays it was created with");
        }
        sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), true);
        int shared = 0;
        for (ParameterBinding b : bindings) {
            if (share(b)) {
                shared++;
            }
        }
        return shared;
    }

    private boolean share(ParameterBinding b) {
        INDArray network = source.get(b.layer(), b.parameter());
        INDArray view = b.toGraphLayout(network);
        INDArray current = sd.getArrForVarName(b.variable());
        // the copy's own layout, only at an offset. Not even a layout that differs in name only: an energy
        // network's [50, 1] output weight, which DL4J flags 'f', changed the loss's last digits as a view
        // (SharedParameterMemoryTest's convolutional case), by another kernel path; and SameDiff 1.0.0-M2.1
        // computes wrong values from 'f'-ordered variables (docs/BENCHMARKS.md, "Tried and reverted"). So
        // DL4J's bias vectors, flagged 'f', stay copies too: they are small, the weights are what costs.
        if (view.dataType() != current.dataType() || !java.util.Arrays.equals(view.shape(), current.shape())
                || view.ordering() != current.ordering() || !sameStrides(view, current)
                || network.isAttached() || NetworkAdapter.root(view) != NetworkAdapter.root(network)) {
            sharedFrom.remove(b.variable());
            return false;
        }
        sd.getVariable(b.variable()).setArray(view);
        sharedFrom.put(b.variable(), network);
        return true;
    }

    /** Equal strides along every axis longer than 1 (a row vector's first stride says nothing). */
    private static boolean sameStrides(INDArray a, INDArray b) {
        for (int i = 0; i < a.rank(); i++) {
            if (a.size(i) > 1 && a.stride(i) != b.stride(i)) {
                return false;
            }
        }
        return true;
    }

    /** Variable name → the network's parameter array its value is a view of (see shareNetworkMemory). */
    private final java.util.Map<String, INDArray> sharedFrom = new java.util.HashMap<>();
}
