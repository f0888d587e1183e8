package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.autodiff.internal.Reductions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reductions every rule emits ({@link Reductions}): for placeholders declared with static, size-1 and
 * batch ({@code -1}) dimensions and run at batch sizes 1 and 3, values and shapes equal ND4J's eager
 * reductions of the same arrays (a different code path: eager ops get their input and do not hit
 * SameDiff's NullPointerException). That the plain SameDiff op does fail on the same inputs is pinned too,
 * so the workaround is dropped when ND4J fixes it.
 */
class ReductionsTest {

    record Case(long[] declared, boolean keepDims, int[] dims) {
        @Override
        public String toString() {
            return Arrays.toString(declared) + " over " + Arrays.toString(dims) + (keepDims ? " keepDims" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long[][] shapes = {{-1, 3}, {-1, 1}, {3, -1}, {1, 3}, {3, 1}, {1, 1}, {-1}, {1}, {-1, 3, 1}, {-1, 1, 3}, {1, 1, -1},
                {-1, -1}};
        for (long[] s : shapes) {
            for (boolean keep : new boolean[] {false, true}) {
                cases.add(new Case(s, keep, new int[0]));
                for (int d = 0; d < s.length; d++) {
                    cases.add(new Case(s, keep, new int[] {d}));
                }
                if (s.length == 3) {
                    cases.add(new Case(s, keep, new int[] {0, 2}));
                    cases.add(new Case(s, keep, new int[] {-2, -1}));
                    cases.add(new Case(s, keep, new int[] {0, 1}));
                }
            }
        }
        return cases.stream();
    }

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void equalsEagerReductionAtEveryBatchSize(Case c) {
        for (Reductions.Kind kind : Reductions.Kind.values()) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.DOUBLE, c.declared());
            SDVariable r = Reductions.reduce(kind, sd, x, c.declared(), c.keepDims(), c.dims());
            for (long n : new long[] {1, 3}) {
                long[] shape = c.declared().clone();
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shape[i] < 0 ? n : shape[i];
                }
                Nd4j.getRandom().setSeed(17);
                INDArray value = Nd4j.randn(DataType.DOUBLE, shape);
                INDArray actual = sd.output(Map.of("x", value), r.name()).get(r.name());
                INDArray expected = eager(kind, value, c.keepDims(), c.dims());
                String what = kind + " " + c + " at " + Arrays.toString(shape);
                assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
                // the same sums in a possibly different order: equal to rounding
                assertTrue(expected.equalsWithEps(actual, 1e-12), what + ": " + actual + ", expected " + expected);
            }
        }
    }

    private static INDArray eager(Reductions.Kind kind, INDArray v, boolean keepDims, int[] dims) {
        int[] d = dims.length == 0 ? java.util.stream.IntStream.range(0, v.rank()).toArray() : dims;
        return switch (kind) {
            case SUM -> v.sum(keepDims, d);
            case MEAN -> v.mean(keepDims, d);
            case MAX -> v.max(keepDims, d);
        };
    }

    /** The ND4J bug the helper exists for; when this fails, ND4J fixed it: simplify Reductions and the docs. */
    @Test
    void plainSameDiffReductionStillFailsOnRankTwoOverASizeOneDimension() {
        for (long[][] c : new long[][][] {{{-1, 3}, {1, 3}, {0}}, {{-1, 1}, {3, 1}, {1}}}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.DOUBLE, c[0]);
            SDVariable y = sd.sum(x, false, (int) c[2][0]);
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> sd.output(Map.of("x", Nd4j.ones(DataType.DOUBLE, c[1])), y.name()));
            assertTrue(e instanceof NullPointerException || e.getCause() instanceof NullPointerException, e.toString());
        }
    }

    /**
     * Why Reductions reshapes rather than using expand_dims or squeeze: on all-ones arrays (what a batch of
     * one makes of [N, 1]) ND4J's expand_dims adds no axis to a [1, 1] array, and SameDiff's gradient of
     * squeeze of a [1, 1, 1] array has the wrong shape. When this fails, ND4J fixed them.
     */
    @Test
    void expandDimsAndSqueezeStillMisbehaveOnAllOnesArrays() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.ones(DataType.DOUBLE, 1, 1));
        SDVariable y = sd.expandDims(x, 1);
        assertArrayEquals(new long[] {1, 1}, sd.output(Map.of(), y.name()).get(y.name()).shape(),
                "expand_dims of [1, 1] at axis 1");
        SameDiff sq = SameDiff.create();
        SDVariable z = sq.var("z", Nd4j.ones(DataType.DOUBLE, 1, 1, 1));
        SDVariable w = sq.squeeze(z, 1);
        sq.setLossVariables(sq.sum(w.mul(w)));
        INDArray g = io.github.ssm4j.util.QuietSameDiff.call(() -> sq.calculateGradients(Map.of(), "z")).get("z");
        assertArrayEquals(new long[] {1, 1}, g.shape(), "SameDiff's gradient of squeeze([1, 1, 1], 1)");
    }

    /**
     * Every reduction the engine emits goes through {@link Reductions} (RuleContext.sum/mean/max): no
     * source file of the engine but Reductions itself calls SameDiff's reductions directly.
     */
    @Test
    void noRuleCallsSameDiffReductionsDirectly() throws IOException {
        Path root = Path.of("src/main/java/io/github/ssm4j/autodiff");
        Pattern direct = Pattern.compile("\\bsd(\\(\\))?\\.(sum|mean|max|min|prod|norm1|norm2|variance|"
                + "standardDeviation|logSumExp|reduce\\w*)\\(");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.getFileName().toString().equals("Reductions.java")) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = direct.matcher(lines.get(i));
                    if (m.find() && !lines.get(i).trim().startsWith("*") && !lines.get(i).trim().startsWith("//")) {
                        offenders.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertTrue(offenders.isEmpty(), "Reductions emitted without Reductions/RuleContext.sum: " + offenders);
    }
}
