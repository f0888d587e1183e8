package io.github.ssm4j.autodiff.internal;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;

/** Argument checks shared by the public transformations; errors name both sides. */
public final class Checks {
    private Checks() {
    }

    /** {@code a} and {@code b} must live in one graph, have one dtype and compatible static shapes. */
    public static void sameShapeAndType(String what, SDVariable a, String aRole, SDVariable b, String bRole) {
        if (a.getSameDiff() != b.getSameDiff()) {
            throw new IllegalArgumentException(what + ": " + aRole + " '" + a.name() + "' and " + bRole + " '"
                    + b.name() + "' belong to different SameDiff graphs");
        }
        if (a.dataType() != b.dataType()) {
            throw new IllegalArgumentException(what + ": " + aRole + " '" + a.name() + "' has dtype " + a.dataType()
                    + " but " + bRole + " '" + b.name() + "' has dtype " + b.dataType());
        }
        StaticShapes shapes = StaticShapes.of(a.getSameDiff());
        long[] sa = shapes.shapeOf(a);
        long[] sb = shapes.shapeOf(b);
        if (!compatible(sa, sb)) {
            throw new IllegalArgumentException(what + ": " + aRole + " '" + a.name() + "' has shape "
                    + Arrays.toString(sa) + " but " + bRole + " '" + b.name() + "' has shape " + Arrays.toString(sb)
                    + " (-1 = varies with the batch); they must match");
        }
    }

    private static boolean compatible(long[] a, long[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }
}
