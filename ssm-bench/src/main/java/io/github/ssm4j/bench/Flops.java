package io.github.ssm4j.bench;

/**
 * Matrix-multiply FLOPs a training step of the MLP D → W → W → D needs (elementwise work is ignored; it is a
 * few percent at W = 512 and more at small sizes, which is one reason small steps are far from the limit).
 *
 * <p>One forward pass of n rows costs F(n) = 2n(DW + W² + WD). Its reverse pass costs 2F, a product for each
 * weight gradient and one for each layer's input gradient — less the first layer's input gradient (2nDW),
 * which no objective reads (the data and the projections are not trained; ssm4j skips that product, see
 * BENCHMARKS.md change 9). A JVP's tangent pass costs another F. Hence: plain and DSM F + (2F − 2nDW);
 * SSM and SSM-VR F (primal) + F (tangent) + a reverse through both = 6F − 4nDW; FD-SSM a forward and reverse
 * of 2N rows, the same; ISM, as ssm4j computes it (the JVP of all D one-hot tangents as one batch of D·N
 * rows), that count with n = D·N.
 */
public final class Flops {
    private Flops() {
    }

    public static double forward(long rows, long d, long w) {
        return 2.0 * rows * (d * w + w * w + w * d);
    }

    public static double step(Objective o, long n, long d, long w) {
        return switch (o) {
            case PLAIN, DSM -> 3 * forward(n, d, w) - firstLayerInputGradient(n, d, w);
            case SSM, SSM_VR, FD_SSM -> 6 * forward(n, d, w) - 2 * firstLayerInputGradient(n, d, w);
            case ISM -> 6 * forward(n * d, d, w) - 2 * firstLayerInputGradient(n * d, d, w);
        };
    }

    /** The product no objective needs: the gradient with respect to the first layer's input, 2nDW. */
    static double firstLayerInputGradient(long rows, long d, long w) {
        return 2.0 * rows * d * w;
    }
}
