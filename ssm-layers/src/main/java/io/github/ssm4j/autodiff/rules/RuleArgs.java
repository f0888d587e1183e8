package io.github.ssm4j.autodiff.rules;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading op arguments as the rule tables need them, shared by every table. */
final class RuleArgs {
    private RuleArgs() {
    }

    /** An int-list property, however SameDiff holds it (int[], long[], List, INDArray, a single number). */
    static int[] ints(Object p) {
        if (p instanceof int[] a) {
            return a.clone();
        }
        if (p instanceof long[] a) {
            return Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
        }
        if (p instanceof INDArray arr) {
            return arr.length() == 0 ? new int[0] : arr.toIntVector();
        }
        if (p instanceof java.util.List<?> l) {
            return l.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
        }
        if (p instanceof Number n) {
            return new int[] {n.intValue()};
        }
        throw new IllegalStateException("Expected a list of dimensions, found " + p);
    }

    /** The inverse of a permutation. */
    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }
}
