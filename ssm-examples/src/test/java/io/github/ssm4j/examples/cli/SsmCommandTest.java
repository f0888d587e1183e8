package io.github.ssm4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SsmCommandTest {

    private static String captureStdout(Runnable r) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void selfCheckPassesAndKeepsSameDiffChatterOffStdout() {
        int[] code = new int[1];
        String out = captureStdout(() -> code[0] = SsmCommand.execute("selfcheck"));
        assertEquals(0, code[0], out);
        assertTrue(out.contains("All checks passed."), out);
        assertFalse(out.contains("Added differentiated op"), out);
    }

    @Test
    void unknownSubcommandIsAOneLineErrorNotAStackTrace() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = SsmCommand.execute("no-such-command");
        } finally {
            System.setErr(originalErr);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code);
        assertTrue(text.startsWith("ssm: "), text);
        assertFalse(text.contains("Exception"), text);
    }
}
