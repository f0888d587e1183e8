package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@link RuleContext} for reverse mode: adds the cotangents of the op's outputs. */
public final class VjpContext extends RuleContext {
    private final SDVariable[] cotangents;
    private final boolean[] needed;

    public VjpContext(SameDiff sd, DifferentialFunction op, SDVariable[] inputs, SDVariable[] outputs,
                      SDVariable[] cotangents, boolean[] needed, StaticShapes shapes) {
        super(sd, op, inputs, outputs, shapes);
        this.cotangents = cotangents;
        this.needed = needed;
    }

    /** Cotangent of output {@code j}, or {@code null} if zero. */
    public SDVariable cotangent(int j) {
        return cotangents[j];
    }

    /** Cotangent of output 0, for single-output ops. */
    public SDVariable g() {
        return cotangents[0];
    }

    /** Cotangent of output {@code j}, materialised as zeros shaped like the output when it is zero. */
    public SDVariable cotangentOrZeros(int j) {
        return cotangents[j] != null ? cotangents[j] : withShapeOf(sd().zerosLike(out(j)), out(j));
    }

    /** Whether input {@code i} depends on the differentiated variable (only then is its cotangent used). */
    public boolean needs(int i) {
        return needed[i];
    }
}
