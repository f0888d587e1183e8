package io.github.ssm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SampleCommandUnitTest {
    @Test
    void sigmasAreAGeometricSchedule() {
        assertArrayEquals(new double[] {1, 0.1, 0.01}, SampleCommand.parseSigmas("1,0.01,3"), 1e-12);
        assertArrayEquals(new double[] {0.5}, SampleCommand.parseSigmas("0.5,0.5,1"), 0);
        for (String bad : new String[] {"1,0.01", "0.01,1,3", "1,0,3", "1,0.1,0", "a,b,c"}) {
            assertThrows(IllegalArgumentException.class, () -> SampleCommand.parseSigmas(bad), bad);
        }
    }

    @Test
    void imageShapes() {
        assertArrayEquals(new int[] {1, 28, 28}, SampleCommand.imageShape(new long[] {784}));
        assertArrayEquals(new int[] {3, 32, 32}, SampleCommand.imageShape(new long[] {3, 32, 32}));
        assertArrayEquals(new int[] {1, 8, 8}, SampleCommand.imageShape(new long[] {8, 8}));
        assertNull(SampleCommand.imageShape(new long[] {30}));
    }
}
