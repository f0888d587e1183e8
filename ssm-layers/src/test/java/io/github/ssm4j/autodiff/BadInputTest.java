package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Errors the transformations promise: clear, naming what was wrong, never a silent zero. */
class BadInputTest {

    @Test
    void opWithoutRuleNamesTheOpItsVariableAndHowToRegister() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable y = sd.math.atan(x);     // deliberately without a rule
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 3);
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Jvp.of(y, x, t));
        assertEquals("atan", e.opName());
        assertTrue(e.getMessage().contains(y.name()), e.getMessage());
        assertTrue(e.getMessage().contains("DerivativeRules.register"), e.getMessage());
        assertThrows(UnsupportedOpException.class, () -> Vjp.of(y, x, sd.onesLike(y)));
    }

    @Test
    void registeringARuleMakesAnOpSupported() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable y = sd.math.cube(x);
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 2);
        DerivativeRules.register("cube",
                c -> JvpContext.one(c.x().mul(c.x()).mul(3.0).mul(c.tangent(0))),
                c -> new SDVariable[] {c.x().mul(c.x()).mul(3.0).mul(c.g())});
        SDVariable jvp = Jvp.of(y, x, t);
        double value = sd.output(java.util.Map.of("x", Nd4j.createFromArray(new double[][] {{2, -1}}),
                "t", Nd4j.createFromArray(new double[][] {{1, 2}})), jvp.name()).get(jvp.name()).getDouble(1);
        assertEquals(3.0 * 1 * 2, value, 1e-12);   // 3x²·t at x = −1, t = 2
    }

    @Test
    void aRuleRegisteredByOpClassTakesPrecedenceOverTheName() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable y = sd.math.atanh(x);
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 2);
        // d/dx atanh(x) = 1/(1 − x²)
        DerivativeRules.register(org.nd4j.linalg.api.ops.impl.transforms.strict.ATanh.class,
                c -> JvpContext.one(c.tangent(0).div(c.x().mul(c.x()).rsub(1.0))),
                c -> new SDVariable[] {c.g().div(c.x().mul(c.x()).rsub(1.0))});
        SDVariable jvp = Jvp.of(y, x, t);
        double value = sd.output(java.util.Map.of("x", Nd4j.createFromArray(new double[][] {{0.5, 0}}),
                "t", Nd4j.createFromArray(new double[][] {{1, 1}})), jvp.name()).get(jvp.name()).getDouble(0);
        assertEquals(1 / 0.75, value, 1e-12);
    }

    @Test
    void tangentShapeOrTypeMismatchNamesBothShapes() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable y = sd.nn.tanh(x);
        SDVariable wrongShape = sd.placeHolder("t", DataType.DOUBLE, -1, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jvp.of(y, x, wrongShape));
        assertTrue(e.getMessage().contains("[-1, 3]") && e.getMessage().contains("[-1, 4]"), e.getMessage());
        SDVariable wrongType = sd.placeHolder("t32", DataType.FLOAT, -1, 3);
        e = assertThrows(IllegalArgumentException.class, () -> Jvp.of(y, x, wrongType));
        assertTrue(e.getMessage().contains("FLOAT") && e.getMessage().contains("DOUBLE"), e.getMessage());
    }

    @Test
    void outputIndependentOfInputIsAClearError() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.ones(DataType.DOUBLE, 3));
        SDVariable y = sd.nn.tanh(w);
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jvp.of(y, x, t));
        assertTrue(e.getMessage().contains("does not depend"), e.getMessage());
    }

    @Test
    void energyMustBeOneScalarPerExample() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable notAnEnergy = sd.nn.tanh(x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Hvp.energyScore(notAnEnergy, x));
        assertTrue(e.getMessage().contains("[-1, 3]") && e.getMessage().contains("quadraticForm"), e.getMessage());
    }

    @Test
    void weightOnlySubgraphsAreConstants() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable w = sd.var("w", Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}}));
        SDVariable wSquashed = sd.math.atan(w);    // no rule for atan, but it is off the x path
        SDVariable y = x.mmul(wSquashed);
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 2);
        SDVariable jvp = Jvp.of(y, x, t);
        double got = sd.output(java.util.Map.of("x", Nd4j.createFromArray(new double[][] {{1, 1}}),
                "t", Nd4j.createFromArray(new double[][] {{1, 0}})), jvp.name()).get(jvp.name()).getDouble(0);
        assertEquals(Math.atan(1), got, 1e-12);
    }

    /** sd.batchMmul computes wrong products in ND4J 1.0.0-M2.1: an error that says so and what to use. */
    @Test
    void batchMmulIsAClearErrorPointingToRankThreeMmul() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.placeHolder("a", DataType.DOUBLE, 2, 2);
        SDVariable b = sd.constant(Nd4j.eye(2).castTo(DataType.DOUBLE));
        SDVariable y = sd.batchMmul(new SDVariable[] {a}, new SDVariable[] {b}, false, false)[0];
        SDVariable t = sd.placeHolder("t", DataType.DOUBLE, 2, 2);
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Jvp.of(y, a, t));
        assertEquals("batched_gemm", e.opName());
        assertTrue(e.getMessage().contains("sd.mmul") && e.getMessage().contains("wrong"), e.getMessage());
        assertThrows(UnsupportedOpException.class, () -> Vjp.of(y, a, sd.onesLike(y)));
        assertTrue(!DerivativeRules.supportedOps().contains("batched_gemm"), "listed as supported");
    }
}
