package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@link RuleContext} for forward mode: adds the tangents of the op's inputs. */
public final class JvpContext extends RuleContext {
    private final SDVariable[] tangents;

    public JvpContext(SameDiff sd, DifferentialFunction op, SDVariable[] inputs, SDVariable[] outputs,
                      SDVariable[] tangents, StaticShapes shapes) {
        super(sd, op, inputs, outputs, shapes);
        this.tangents = tangents;
    }

    /** Tangent of input {@code i}, or {@code null} if it is zero (input not on the differentiated path). */
    public SDVariable tangent(int i) {
        return tangents[i];
    }

    /** Tangent of input {@code i}, materialised as zeros shaped like the input when it is symbolically zero. */
    public SDVariable tangentOrZeros(int i) {
        return tangents[i] != null ? tangents[i] : withShapeOf(sd().zerosLike(in(i)), in(i));
    }

    public boolean hasTangent(int i) {
        return tangents[i] != null;
    }

    /** Convenience for single-output rules. */
    public static SDVariable[] one(SDVariable t) {
        return new SDVariable[] {t};
    }
}
