package io.github.ssm4j.util;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Runs SameDiff calls that print their own chatter to {@code System.out} (1.0.0-M2.1 prints
 * "Added differentiated op …" for every op while building a gradient function) with that chatter
 * dropped; every other line still reaches standard output.
 *
 * <p>{@code System.out} is process-wide, so the swap is serialised; use it around graph construction
 * ({@code createGradFunction}, the first {@code calculateGradients} or {@code fit}), not inside hot loops.
 */
public final class QuietSameDiff {
    private static final String CHATTER = "Added differentiated op";

    private QuietSameDiff() {
    }

    public static synchronized <T> T call(Supplier<T> action) {
        PrintStream original = System.out;
        FilteringStream filter = new FilteringStream(original);
        System.setOut(filter);
        try {
            return action.get();
        } finally {
            filter.flush();
            System.setOut(original);
        }
    }

    public static void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    /** Passes whole lines through unless they are SameDiff's gradient-building chatter. */
    private static final class FilteringStream extends PrintStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        FilteringStream(PrintStream target) {
            super(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(buf[i]);
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                emit();
            }
            target.flush();
        }

        private void emit() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!text.startsWith(CHATTER)) {
                target.print(text);
            }
        }
    }
}
