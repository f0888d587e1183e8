package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.ParameterBinding;
import io.github.ssm4j.dl4j.TranslatedNetwork;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The result of a translation; copies parameters in place, so SameDiff's arrays keep their identity. */
final class TranslatedGraph implements TranslatedNetwork {
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
                INDArray target = sd.getArrForVarName(b.variable());
                target.assign(b.toGraphLayout(source.get(b.layer(), b.parameter())).castTo(target.dataType()));
            }
        }
    }

    @Override
    public void pushParameters() {
        for (ParameterBinding b : bindings) {
            INDArray target = b.toGraphLayout(source.get(b.layer(), b.parameter()));
            target.assign(sd.getArrForVarName(b.variable()).castTo(target.dataType()));
        }
    }
}
