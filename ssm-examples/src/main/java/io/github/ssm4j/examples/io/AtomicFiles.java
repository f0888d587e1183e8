package io.github.ssm4j.examples.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * Writes a file atomically: the content goes to a temporary file in the same directory, which is then
 * renamed over the target, so a reader (or a crash) never sees a half-written file.
 */
public final class AtomicFiles {
    /** Writes the content of a file to the given (temporary) path. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path path) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code file} atomically, creating its directory; returns {@code file}. */
    public static Path write(Path file, Content content) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".partial");
            try {
                content.writeTo(tmp);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    /** Writes {@code value} as indented JSON, atomically. */
    public static Path writeJson(Path file, Object value) {
        return write(file, tmp -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(),
                value));
    }
}
