package io.github.ssm4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Smoke test: every benchmark case builds and trains (a tiny network, one step); no timing here. */
class StepCaseTest {

    @ParameterizedTest
    @EnumSource(Objective.class)
    void everyObjectiveTakesAStepOnEveryPath(Objective o) {
        for (StepCase.Path path : StepCase.Path.values()) {
            StepCase c = new StepCase(o, path, 3, 8, 4, 7);
            c.step();
            c.step();
            assertEquals(3, c.d());
        }
    }

    @Test
    void theDl4jPathChangesTheNetworksWeights() {
        MultiLayerNetwork before = StepCase.network(3, 8, 7);
        StepCase c = new StepCase(Objective.SSM_VR, StepCase.Path.DL4J, 3, 8, 4, 7);
        c.step();
        assertNotEquals(before.params(), c.network().params());
    }

    @Test
    void flopsOfAStep() {
        // one forward pass of the small network: 2·128·(2·128 + 128² + 128·2) = 4 325 376
        assertEquals(4_325_376.0, Flops.forward(128, 2, 128));
        // less the first layer's input gradient, 2·128·2·128 = 65 536, once per reverse pass
        assertEquals(6 * 4_325_376.0 - 2 * 65_536, Flops.step(Objective.SSM_VR, 128, 2, 128));
        assertEquals(3 * 4_325_376.0 - 65_536, Flops.step(Objective.PLAIN, 128, 2, 128));
        assertEquals(6 * Flops.forward(128 * 2, 2, 128) - 2 * 2 * 65_536, Flops.step(Objective.ISM, 128, 2, 128));
    }

    @Test
    void casesAndSizes() {
        // 6 objectives on small, 5 on large (no large ISM), and SSM-VR on the samediff and session paths for each
        assertEquals(15, BenchMain.cases("headline").size());
        assertEquals(2, BenchMain.cases("headline").stream().filter(c -> c[2].equals("session")).count());
        assertEquals(10, BenchMain.cases("sweep").size());
        assertEquals(784, BenchMain.size("large")[0]);
        assertEquals(32, BenchMain.size("d32")[0]);
        assertThrows(IllegalArgumentException.class, () -> BenchMain.cases("small:ssm"));
    }

    /** StepProfile, the documented "where a step's time goes" command, runs and reports every phase. */
    @Test
    void theStepProfileRunsAsDocumented() {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            StepProfile.main(new String[] {"d3", "2", "ssm-vr"});
            StepProfile.main(new String[] {"d3", "2", "dsm"});
        } finally {
            System.setOut(out);
        }
        String report = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        for (String phase : new String[] {"draw", "step", "program", "forward-only", "net.output", "outside"}) {
            assertEquals(2, report.lines().filter(l -> l.trim().startsWith(phase + " ")).count(), phase + " in\n" + report);
        }
        assertThrows(IllegalArgumentException.class, () -> StepProfile.main(new String[] {"d3", "2", "plain"}));
    }
}
