package io.github.ssm4j.bench;

/**
 * Matrix-multiply FLOPs of one training step of the MLP D → W → W → D (elementwise work is ignored; it is a
 * few percent at W = 512 and more at small sizes, which is one reason small steps are far from the limit).
 *
 * <p>One forward pass of n rows costs F(n) = 2n(DW + W² + WD). Its reverse pass costs 2F (a gradient for the
 * weights and one for the layer's input per matmul). A JVP's tangent pass costs another F. Hence: plain and
 * DSM 3F(N); SSM and SSM-VR F (primal) + F (tangent) + 2·2F (reverse through both) = 6F(N); FD-SSM a forward
 * and reverse of 2N rows = 6F(N); ISM, as ssm4j computes it (the JVP of all D one-hot tangents as one batch of
 * D·N rows), 6F(D·N).
 */
public final class Flops {
    private Flops() {
    }

    public static double forward(long rows, long d, long w) {
        return 2.0 * rows * (d * w + w * w + w * d);
    }

    public static double step(Objective o, long n, long d, long w) {
        return switch (o) {
            case PLAIN, DSM -> 3 * forward(n, d, w);
            case SSM, SSM_VR, FD_SSM -> 6 * forward(n, d, w);
            case ISM -> 6 * forward(n * d, d, w);
        };
    }
}
