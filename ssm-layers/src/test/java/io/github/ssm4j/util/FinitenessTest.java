package io.github.ssm4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The step guard's finiteness check against a plain scan of every value: a single NaN, +∞ or −∞ anywhere
 * — first, last, middle element, in contiguous arrays (the BLAS path), in 'f' order, and in views with an
 * offset or gaps (ND4J's path) — makes it false; finite arrays, large ones included, make it true.
 */
class FinitenessTest {
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE", "HALF"})
    void agreesWithAScanOfEveryValue(DataType type) {
        for (long[] shape : new long[][] {{1}, {7}, {33, 5}, {3, 4, 5}, {1, 70001}}) {
            INDArray base = Nd4j.rand(type, shape).subi(0.5).muli(100);
            assertTrue(Finiteness.sumIsFinite(base), type + " finite");
            assertTrue(Finiteness.sumIsFinite(base.dup('f')), type + " finite, f order");
            long n = base.length();
            for (long at : new long[] {0, n / 2, n - 1}) {
                for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    INDArray a = base.dup();
                    a.reshape(-1).putScalar(at, bad);
                    assertEquals(scanIsFinite(a), Finiteness.sumIsFinite(a), type + " " + bad + " at " + at);
                    assertFalse(Finiteness.sumIsFinite(a.dup('f')), type + " " + bad + " at " + at + ", f order");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void viewsWithAnOffsetOrGapsAreCheckedOverTheirOwnValuesOnly(DataType type) {
        INDArray a = Nd4j.rand(type, 10, 8);
        a.putScalar(0, 0, Double.NaN);   // outside both views below
        INDArray rows = a.get(NDArrayIndex.interval(1, 10), NDArrayIndex.all());
        INDArray column = a.get(NDArrayIndex.all(), NDArrayIndex.point(3));
        assertTrue(Finiteness.sumIsFinite(rows), "rows 1..9");
        assertTrue(Finiteness.sumIsFinite(column), "column 3");
        a.putScalar(9, 3, Double.POSITIVE_INFINITY);
        assertFalse(Finiteness.sumIsFinite(rows), "rows 1..9 with +∞");
        assertFalse(Finiteness.sumIsFinite(column), "column 3 with +∞");
    }

    private static boolean scanIsFinite(INDArray a) {
        for (double v : a.castTo(DataType.DOUBLE).reshape(-1).toDoubleVector()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
