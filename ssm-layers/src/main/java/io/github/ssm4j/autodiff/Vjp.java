package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.Checks;
import io.github.ssm4j.autodiff.internal.ReverseTransformer;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Differentiable reverse mode (vector-Jacobian products) written into a SameDiff graph.
 *
 * <p>Unlike {@code SameDiff.calculateGradients}, whose backward ops ({@code *Bp}) cannot be
 * differentiated again, {@code Vjp.of(y, x, u)} builds {@code uᵀ(∂y/∂x)} from ordinary ops that all have
 * forward-mode rules and SameDiff gradients. That is what makes {@code s = −∇ₓE} of an energy model
 * trainable, and Hessian-vector products ({@link Hvp}) possible.
 *
 * <p>Stability: public API.
 */
public final class Vjp {
    private Vjp() {
    }

    /**
     * @param y output of the graph
     * @param x variable to differentiate with respect to
     * @param u cotangent, same shape and dtype as {@code y}
     * @return {@code uᵀ(∂y/∂x)}, shaped like {@code x}
     * @throws IllegalArgumentException if shapes or dtypes disagree, or {@code y} does not depend on {@code x}
     */
    public static SDVariable of(SDVariable y, SDVariable x, SDVariable u) {
        Checks.sameShapeAndType("Vjp", y, "output", u, "cotangent");
        if (y == x || y.name().equals(x.name())) {
            return u;
        }
        SDVariable result = new ReverseTransformer(x.getSameDiff()).seed(y, u).run(x)[0];
        if (result == null) {
            throw new IllegalArgumentException("Vjp: output '" + y.name() + "' does not depend on input '" + x.name()
                    + "', so its derivative is zero; differentiate an output computed from the input");
        }
        return result;
    }
}
