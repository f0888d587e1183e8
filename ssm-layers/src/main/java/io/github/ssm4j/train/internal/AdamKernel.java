package io.github.ssm4j.train.internal;

import io.github.ssm4j.util.CpuBackend;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.PowPairwise;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * ND4J's Adam step — {@code AdamUpdater.applyUpdater}, libnd4j's {@code adam_updater} kernel — computed in
 * Java, with the kernel's float operations in the kernel's order, so the update and both moment arrays come
 * out bit for bit the same.
 *
 * <p>Why: libnd4j evaluates the kernel's square root one element at a time, ≈ 4 ns per element on this
 * machine (its {@code sqrt} transform is as slow), so DL4J's Adam took ≈ 6.5 ms of the 784-512-512-784
 * benchmark network's ≈ 33 ms step, for 1.07 M parameters. The same loop over heap arrays is vectorised by
 * the JIT, ≈ 0.2 ns per element; the arrays stay where they are (off-heap) and pass through three small
 * heap buffers, a chunk at a time, so every value is read and written once, as in the native kernel
 * (docs/BENCHMARKS.md, change 16).
 *
 * <p>Bit-identity rests on three things, all checked by {@link #backendAgrees} once per data type and JVM
 * before the kernel is used: that the native build does not contract the kernel's multiply-adds into fused
 * ones (the generic x86-64 build does not); that its bias-correction powers β^(t+1) are the C library's
 * {@code pow} — taken here from libnd4j's own pairwise pow, in tables of {@value #POWERS_PER_TABLE} steps,
 * because Java's {@code Math.pow} differs from it in the last bit at some iterations (measured for β = 0.999 in
 * float: ≈ 2 iterations per thousand; DL4J's default step size then differs at iteration 3605); and that its
 * square root is correctly rounded. Where the probe finds
 * any difference, {@link #tryApply} declines and ND4J's updater runs. Also declined: other updaters, a
 * zero ε (libnd4j versions treat it differently), views that are not one contiguous run, types other than
 * float and double, and backends other than the CPU one (whose buffers this reads directly).
 * {@code -Dssm4j.adam.kernel=false} turns it off.
 */
public final class AdamKernel {
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("ssm4j.adam.kernel"));
    /** Elements per chunk: three float chunks (24 KB) stay in the first-level cache. */
    private static final int CHUNK = 2048;
    static final int POWERS_PER_TABLE = 1024;

    private static final Map<DataType, Boolean> AGREES = new ConcurrentHashMap<>();
    private static final Map<String, PowerTable> POWERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<float[][]> FLOAT_CHUNKS = ThreadLocal.withInitial(() -> new float[3][CHUNK]);
    private static final ThreadLocal<double[][]> DOUBLE_CHUNKS = ThreadLocal.withInitial(() -> new double[3][CHUNK]);

    private AdamKernel() {
    }

    /**
     * Applies {@code updater} to {@code gradient} in place (the gradient becomes the update, the moments
     * advance), as {@code updater.applyUpdater(gradient, iteration, epoch)} would, and returns true — or
     * returns false, touching nothing, when this kernel does not apply (see the class comment); the caller
     * then calls {@code applyUpdater} itself.
     */
    public static boolean tryApply(GradientUpdater<?> updater, INDArray gradient, int iteration, int epoch) {
        if (!ENABLED || !CpuBackend.active() || updater == null || updater.getClass() != AdamUpdater.class) {
            return false;
        }
        AdamUpdater adam = (AdamUpdater) updater;
        INDArray m = adam.getM();
        INDArray v = adam.getV();
        Adam config = adam.getConfig();
        if (m == null || v == null || config.getEpsilon() == 0 || !oneRun(gradient) || !oneRun(m) || !oneRun(v)
                || m.length() != gradient.length() || v.length() != gradient.length()) {
            return false;
        }
        DataType type = gradient.dataType();
        if ((type != DataType.FLOAT && type != DataType.DOUBLE) || m.dataType() != type || v.dataType() != type
                || !backendAgrees(type)) {
            return false;
        }
        step(type, gradient, m, v, config.getLearningRate(iteration, epoch), config.getBeta1(), config.getBeta2(),
                config.getEpsilon(), iteration);
        return true;
    }

    /** A vector (or scalar) whose elements lie one after another in memory, addressable by an int. */
    private static boolean oneRun(INDArray a) {
        return !a.isEmpty() && (a.isVector() || a.isScalar()) && (a.length() == 1 || a.elementWiseStride() == 1)
                && a.offset() + a.length() < Integer.MAX_VALUE;
    }

    /** The kernel, without the checks: {@code g} becomes the update, {@code m} and {@code v} advance. */
    static void step(DataType type, INDArray g, INDArray m, INDArray v, double learningRate, double beta1,
                     double beta2, double epsilon, int iteration) {
        if (type == DataType.FLOAT) {
            stepFloat(g, m, v, learningRate, beta1, beta2, epsilon, iteration);
        } else {
            stepDouble(g, m, v, learningRate, beta1, beta2, epsilon, iteration);
        }
    }

    private static void stepFloat(INDArray g, INDArray m, INDArray v, double learningRate, double beta1,
                                  double beta2, double epsilon, int iteration) {
        // The kernel's scalars, in its types: everything in T = float except one division in double
        // (lr · √(1 − β₂ᵗ) is a float; "/ (1.0 − β₁ᵗ)" promotes it), and ε replaces a non-finite or zero factor.
        float lr = (float) learningRate;
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float eps = (float) epsilon;
        float b1t = (float) powers(DataType.FLOAT, b1).power(iteration);
        float b2t = (float) powers(DataType.FLOAT, b2).power(iteration);
        float stepSize = (float) ((double) (lr * (float) Math.sqrt((float) (1.0 - b2t))) / (1.0 - b1t));
        if (Float.isNaN(stepSize) || stepSize == 0 || Float.isInfinite(stepSize)) {
            stepSize = eps;
        }
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        FloatBuffer gb = g.data().asNioFloat();
        FloatBuffer mb = m.data().asNioFloat();
        FloatBuffer vb = v.data().asNioFloat();
        int go = gb.position();   // asNioFloat positions the buffer at the array's first element
        int mo = mb.position();
        int vo = vb.position();
        float[][] chunks = FLOAT_CHUNKS.get();
        float[] gc = chunks[0];
        float[] mc = chunks[1];
        float[] vc = chunks[2];
        int n = (int) g.length();
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            gb.get(go + start, gc, 0, len);
            mb.get(mo + start, mc, 0, len);
            vb.get(vo + start, vc, 0, len);
            for (int i = 0; i < len; i++) {
                float gi = gc[i];
                float mi = b1 * mc[i] + gi * c1;
                float vi = b2 * vc[i] + gi * gi * c2;
                mc[i] = mi;
                vc[i] = vi;
                gc[i] = (mi * stepSize) / ((float) Math.sqrt(vi) + eps);  // a float's √ rounded via double = sqrtf
            }
            gb.put(go + start, gc, 0, len);
            mb.put(mo + start, mc, 0, len);
            vb.put(vo + start, vc, 0, len);
        }
    }

    /**
     * {@link #stepFloat}'s twin in double, all in T = double: Java has no generics over primitive types, and the
     * JIT vectorises only loops over primitive arrays.
     */
    private static void stepDouble(INDArray g, INDArray m, INDArray v, double lr, double b1, double b2,
                                   double eps, int iteration) {
        double b1t = powers(DataType.DOUBLE, b1).power(iteration);
        double b2t = powers(DataType.DOUBLE, b2).power(iteration);
        double stepSize = lr * Math.sqrt(1.0 - b2t) / (1.0 - b1t);
        if (Double.isNaN(stepSize) || stepSize == 0 || Double.isInfinite(stepSize)) {
            stepSize = eps;
        }
        double c1 = 1 - b1;
        double c2 = 1 - b2;
        DoubleBuffer gb = g.data().asNioDouble();
        DoubleBuffer mb = m.data().asNioDouble();
        DoubleBuffer vb = v.data().asNioDouble();
        int go = gb.position();
        int mo = mb.position();
        int vo = vb.position();
        double[][] chunks = DOUBLE_CHUNKS.get();
        double[] gc = chunks[0];
        double[] mc = chunks[1];
        double[] vc = chunks[2];
        int n = (int) g.length();
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            gb.get(go + start, gc, 0, len);
            mb.get(mo + start, mc, 0, len);
            vb.get(vo + start, vc, 0, len);
            for (int i = 0; i < len; i++) {
                double gi = gc[i];
                double mi = b1 * mc[i] + gi * c1;
                double vi = b2 * vc[i] + gi * gi * c2;
                mc[i] = mi;
                vc[i] = vi;
                gc[i] = (mi * stepSize) / (Math.sqrt(vi) + eps);
            }
            gb.put(go + start, gc, 0, len);
            mb.put(mo + start, mc, 0, len);
            vb.put(vo + start, vc, 0, len);
        }
    }

    private static PowerTable powers(DataType type, double beta) {
        return POWERS.computeIfAbsent(type + ":" + Double.doubleToLongBits(beta), k -> new PowerTable(type, beta));
    }

    /**
     * β^(t+1) for t = iteration, as libnd4j's kernel computes it: the exponent {@code (T) t + 1} in the
     * array's type, raised by libnd4j's own pow (one pairwise-pow call fills the next
     * {@value #POWERS_PER_TABLE} iterations).
     */
    static final class PowerTable {
        private final DataType type;
        private final double beta;
        private int first = -1;
        private final double[] values = new double[POWERS_PER_TABLE];

        PowerTable(DataType type, double beta) {
            this.type = type;
            this.beta = beta;
        }

        synchronized double power(int iteration) {
            if (first < 0 || iteration < first || iteration - first >= values.length) {
                fill(iteration);
            }
            return values[iteration - first];
        }

        private void fill(int from) {
            double[] exponents = new double[values.length];
            for (int i = 0; i < exponents.length; i++) {
                long t = (long) from + i;
                exponents[i] = type == DataType.FLOAT ? (double) ((float) t + 1f) : (double) t + 1.0;
            }
            INDArray e = Nd4j.createFromArray(exponents).castTo(type);   // float exponents are exact in double
            INDArray b = Nd4j.valueArrayOf(new long[] {values.length}, beta, type);
            INDArray z = Nd4j.exec(new PowPairwise(b, e, b.ulike()));
            double[] computed = z.castTo(DataType.DOUBLE).toDoubleVector();
            System.arraycopy(computed, 0, values, 0, values.length);
            first = from;
        }
    }

    /**
     * Whether this kernel equals ND4J's Adam bit for bit for {@code type} on this native build (probed once per
     * type and JVM; see the class comment).
     */
    public static boolean backendAgrees(DataType type) {
        return CpuBackend.active() && AGREES.computeIfAbsent(type, AdamProbe::agrees);
    }
}
