package io.github.ssm4j.autodiff.internal;

import io.github.ssm4j.autodiff.DerivativeRules;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;

/**
 * The part of a SameDiff graph that lies between differentiated inputs and requested outputs: the ops
 * the outputs depend on, in topological order, and which variables depend on the inputs.
 *
 * <p>Ops off the path (for example subgraphs computing from weights only) are constants for the
 * transformation: their outputs have zero tangents and need no cotangents. So are the outputs of ops
 * declared to have a zero derivative (masks from comparisons, argmax): the path stops at them.
 */
public final class GraphPath {
    private final List<SameDiffOp> ops;
    private final Set<String> dependent;

    private GraphPath(List<SameDiffOp> ops, Set<String> dependent) {
        this.ops = ops;
        this.dependent = dependent;
    }

    /** The path from {@code inputs} to {@code outputs} (variable names). */
    public static GraphPath between(SameDiff sd, Collection<String> inputs, Collection<String> outputs) {
        List<SameDiffOp> ancestors = ancestorOps(sd, outputs);
        Set<String> dependent = new HashSet<>(inputs);
        List<SameDiffOp> path = new ArrayList<>();
        for (SameDiffOp op : ancestors) {
            if (DerivativeRules.hasZeroDerivative(op.getOp())) {
                continue;      // piecewise-constant op: its outputs are constants, the path stops here
            }
            boolean onPath = false;
            for (String in : inputsOf(op)) {
                onPath |= dependent.contains(in);
            }
            if (onPath) {
                path.add(op);
                dependent.addAll(op.getOutputsOfOp());
            }
        }
        return new GraphPath(path, dependent);
    }

    /** Ops that {@code outputs} depend on, in topological order (inputs before consumers). */
    public static List<SameDiffOp> ancestorOps(SameDiff sd, Collection<String> outputs) {
        Map<String, SameDiffOp> opsByName = sd.getOps();
        Map<String, Variable> vars = sd.getVariables();
        Set<String> visited = new HashSet<>();
        Set<String> ordered = new LinkedHashSet<>();
        // Iterative post-order DFS: graphs from DL4J translation can be deep enough to overflow recursion.
        Deque<Object[]> stack = new ArrayDeque<>();
        for (String out : outputs) {
            String producer = producerOf(vars, out);
            if (producer != null && visited.add(producer)) {
                stack.push(new Object[] {producer, 0});
            }
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                String opName = (String) frame[0];
                List<String> ins = inputsOf(opsByName.get(opName));
                int next = (Integer) frame[1];
                if (next < ins.size()) {
                    frame[1] = next + 1;
                    String p = producerOf(vars, ins.get(next));
                    if (p != null && visited.add(p)) {
                        stack.push(new Object[] {p, 0});
                    }
                } else {
                    stack.pop();
                    ordered.add(opName);
                }
            }
        }
        List<SameDiffOp> result = new ArrayList<>(ordered.size());
        for (String name : ordered) {
            result.add(opsByName.get(name));
        }
        return result;
    }

    /** Path ops in topological order. */
    public List<SameDiffOp> ops() {
        return ops;
    }

    /** Whether a variable depends on the differentiated inputs (or is one of them). */
    public boolean dependsOnInputs(String variable) {
        return dependent.contains(variable);
    }

    /** Every input and output variable of the path's ops. */
    public List<SDVariable> variables(SameDiff sd) {
        List<SDVariable> vars = new ArrayList<>();
        for (SameDiffOp op : ops) {
            vars.addAll(Arrays.asList(resolve(sd, op.getInputsToOp())));
            vars.addAll(Arrays.asList(resolve(sd, op.getOutputsOfOp())));
        }
        return vars;
    }

    /** The variables with the given names ({@code null} for none). */
    public static SDVariable[] resolve(SameDiff sd, List<String> names) {
        if (names == null) {
            return new SDVariable[0];
        }
        SDVariable[] vs = new SDVariable[names.size()];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = sd.getVariable(names.get(i));
        }
        return vs;
    }

    static List<String> inputsOf(SameDiffOp op) {
        List<String> ins = op.getInputsToOp();
        return ins == null ? List.of() : ins;
    }

    private static String producerOf(Map<String, Variable> vars, String variable) {
        Variable v = vars.get(variable);
        if (v == null) {
            throw new IllegalArgumentException("Variable '" + variable + "' is not in this SameDiff graph");
        }
        return v.getOutputOfOp();
    }
}
