package io.github.ssm4j.autodiff.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Static shapes of graph variables, with {@code -1} for dimensions that vary between executions.
 *
 * <p>SameDiff 1.0.0-M2.1 does not infer the shapes of op outputs when ops are created, but the rules
 * need ranks and broadcast dimensions. We probe: execute the graph twice with every {@code -1} in the
 * placeholders' declared shapes replaced by 2 and then by 3, and mark the dimensions that differ as
 * dynamic. Shapes of variables the transformations create are recorded directly.
 */
public final class StaticShapes {
    /**
     * One oracle per graph, by identity: SameDiff's own hashCode walks (and changes with) its variables,
     * so a WeakHashMap keyed by it would be slow and lose entries as graphs grow.
     */
    private static final Map<GraphKey, StaticShapes> BY_GRAPH = new HashMap<>();
    private static final ReferenceQueue<SameDiff> COLLECTED = new ReferenceQueue<>();
    private static final long PROBE_A = 2;
    private static final long PROBE_B = 3;

    /**
     * Weak, like the map's key: a strong reference from the value would keep every graph (and the arrays it
     * holds, such as a DL4J network's parameters) reachable from the static map for good.
     */
    private final WeakReference<SameDiff> graph;
    private final Map<String, long[]> known = new HashMap<>();

    private StaticShapes(SameDiff sd) {
        this.graph = new WeakReference<>(sd);
    }

    /** The graph; reachable whenever this oracle is in use, because its callers hold the graph. */
    private SameDiff sd() {
        SameDiff sd = graph.get();
        if (sd == null) {
            throw new IllegalStateException("StaticShapes used after its graph was garbage-collected");
        }
        return sd;
    }

    /** The shape oracle of a graph; one per graph, so probes are shared between transformations. */
    public static synchronized StaticShapes of(SameDiff sd) {
        for (Reference<? extends SameDiff> gone = COLLECTED.poll(); gone != null; gone = COLLECTED.poll()) {
            BY_GRAPH.remove((GraphKey) gone);
        }
        return BY_GRAPH.computeIfAbsent(new GraphKey(sd, COLLECTED), k -> new StaticShapes(sd));
    }

    /** A weak, identity-based key for a graph. */
    private static final class GraphKey extends WeakReference<SameDiff> {
        private final int hash;

        GraphKey(SameDiff sd, ReferenceQueue<SameDiff> queue) {
            super(sd, queue);
            this.hash = System.identityHashCode(sd);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof GraphKey other)) {
                return false;
            }
            SameDiff mine = get();
            return mine != null && mine == other.get();
        }
    }

    public long[] shapeOf(SDVariable v) {
        long[] s = known.get(v.name());
        if (s != null) {
            return s;
        }
        if (v.getVariableType() == VariableType.ARRAY) {
            probe(List.of(v));
            return known.get(v.name());
        }
        return leafShape(v);
    }

    /** The shape if already known (recorded, probed, or a leaf's declared shape), without executing the graph; else null. */
    public long[] knownShapeOf(SDVariable v) {
        long[] s = known.get(v.name());
        if (s != null || v.getVariableType() == VariableType.ARRAY) {
            return s;
        }
        try {
            return leafShape(v);
        } catch (IllegalStateException undeclared) {
            return null;
        }
    }

    public void record(SDVariable v, long[] shape) {
        known.put(v.name(), shape.clone());
    }

    /** Probes all given variables whose shapes are not yet known, in two executions of the graph. */
    public void probe(Collection<SDVariable> vars) {
        List<String> names = new ArrayList<>();
        for (SDVariable v : vars) {
            if (v.getVariableType() == VariableType.ARRAY && !known.containsKey(v.name())) {
                names.add(v.name());
            }
        }
        if (names.isEmpty()) {
            return;
        }
        Map<String, INDArray> a = execute(names, PROBE_A);
        Map<String, INDArray> b = execute(names, PROBE_B);
        for (String n : names) {
            long[] sa = a.get(n).shape();
            long[] sb = b.get(n).shape();
            if (sa.length != sb.length) {
                throw new IllegalStateException("Variable '" + n + "' changes rank with the batch size ("
                        + Arrays.toString(sa) + " vs " + Arrays.toString(sb) + "); ssm4j needs a fixed rank");
            }
            long[] s = new long[sa.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = sa[i] == sb[i] ? sa[i] : -1;
            }
            known.put(n, s);
        }
    }

    private Map<String, INDArray> execute(List<String> names, long dynamicSize) {
        Map<String, INDArray> feed = new HashMap<>();
        for (String ph : placeholdersNeeded(names)) {
            SDVariable v = sd().getVariable(ph);
            long[] declared = v.placeholderShape();
            if (declared == null) {
                throw new IllegalStateException("Placeholder '" + ph + "' has no declared shape; ssm4j needs its "
                        + "rank and non-batch dimensions to build derivatives (declare it with -1 for the batch)");
            }
            long[] concrete = declared.clone();
            for (int i = 0; i < concrete.length; i++) {
                if (concrete[i] < 0) {
                    concrete[i] = dynamicSize;
                }
            }
            feed.put(ph, dummy(v.dataType(), concrete));
        }
        try {
            return sd().output(feed, names.toArray(new String[0]));
        } catch (RuntimeException e) {
            throw new IllegalStateException("Could not infer static shapes of " + names + ": executing the graph "
                    + "with placeholder dimensions -1 set to " + dynamicSize + " failed (" + e.getMessage() + "). "
                    + "If the failing op is the model's own: SameDiff 1.0.0-M2.1 cannot reduce a rank-2 array over "
                    + "a dimension of size 1 (e.g. sum over dimension 1 of [N, 1]; use a reshape there). "
                    + "Otherwise check that every placeholder declares all dimensions except the batch.", e);
        }
    }

    private Set<String> placeholdersNeeded(List<String> names) {
        Set<String> result = new LinkedHashSet<>();
        for (SameDiffOp op : GraphPath.ancestorOps(sd(), names)) {
            for (String in : GraphPath.inputsOf(op)) {
                if (sd().getVariable(in).getVariableType() == VariableType.PLACEHOLDER) {
                    result.add(in);
                }
            }
        }
        for (String n : names) {
            if (sd().getVariable(n).getVariableType() == VariableType.PLACEHOLDER) {
                result.add(n);
            }
        }
        return result;
    }

    private static INDArray dummy(DataType type, long[] shape) {
        if (type.isFPType()) {
            return Nd4j.rand(type, shape).addi(0.5);
        }
        return Nd4j.zeros(type, shape);
    }

    private static long[] leafShape(SDVariable v) {
        if (v.getVariableType() == VariableType.PLACEHOLDER) {
            long[] s = v.placeholderShape();
            if (s == null) {
                throw new IllegalStateException("Placeholder '" + v.name() + "' has no declared shape");
            }
            return s;
        }
        INDArray arr = v.getArr();
        if (arr == null) {
            throw new IllegalStateException("Variable '" + v.name() + "' (" + v.getVariableType() + ") has no array");
        }
        return arr.shape();
    }
}
