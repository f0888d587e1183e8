package io.github.ssm4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The notebooks in {@code notebooks/}: stored without outputs, and every one executes headlessly in
 * rapaio-jupyter-kernel through {@code scripts/notebooks.py run} (which also checks that each produces the images
 * its metadata promises). The runner itself is tested too: a deliberately broken notebook must fail it with the
 * cell and the error shown, and a kernel start that hangs must be killed and retried.
 *
 * <p>Needs Debian's {@code jupyter-nbconvert python3-nbclient jupyter-client} for {@code /usr/bin/python3} (another
 * interpreter via {@code SSM4J_PYTHON}); the kernel jar and the classpath come from this module's build
 * ({@code target/notebooks}). Without Jupyter the execution tests are skipped, unless
 * {@code SSM4J_REQUIRE_NOTEBOOKS=1} (set by {@code .ci/run}), when they fail.
 */
class NotebooksTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path NOTEBOOKS = ROOT.resolve("notebooks");
    private static final Path RUNNER = ROOT.resolve("scripts").resolve("notebooks.py");
    private static final Path BUILD = Path.of("target", "notebooks").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Path> notebooks() throws IOException {
        try (Stream<Path> s = Files.list(NOTEBOOKS)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    @Test
    void notebooksAreStoredWithOutputsClearedForTheProjectsKernel() throws IOException {
        List<Path> all = notebooks();
        assertTrue(all.size() >= 4, "expected the four example notebooks in " + NOTEBOOKS + ", found " + all);
        List<String> problems = new ArrayList<>();
        for (Path nb : all) {
            JsonNode root = JSON.readTree(nb.toFile());
            String kernel = root.path("metadata").path("kernelspec").path("name").asText();
            if (!"ssm4j-java".equals(kernel)) {
                problems.add(nb.getFileName() + ": kernelspec " + kernel + ", expected ssm4j-java");
            }
            if (root.path("metadata").path("ssm4j").path("min_images").asInt(0) < 1) {
                problems.add(nb.getFileName() + ": metadata.ssm4j.min_images (images the runner must see) missing");
            }
            int i = 0;
            for (JsonNode cell : root.path("cells")) {
                if ("code".equals(cell.path("cell_type").asText())) {
                    if (cell.path("outputs").size() > 0 || !cell.path("execution_count").isNull()) {
                        problems.add(nb.getFileName() + ": cell " + i + " has outputs or an execution count");
                    }
                    if (cell.path("source").toString().contains("/tmp/m2") || cell.path("source").toString()
                            .contains("/home/")) {
                        problems.add(nb.getFileName() + ": cell " + i + " names a machine-specific path");
                    }
                }
                i++;
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems)
                + "\nClear outputs with: jupyter nbconvert --clear-output --inplace notebooks/*.ipynb");
    }

    @Test
    void everyNotebookExecutesAndShowsItsImages() throws Exception {
        requireJupyter();
        List<String> cmd = new ArrayList<>(List.of(python(), RUNNER.toString(), "run", "--out",
                BUILD.resolve("executed").toString()));
        notebooks().forEach(p -> cmd.add(p.toString()));
        Result r = run(cmd, 40 * 60);
        assertEquals(0, r.exitCode, "a notebook failed (the runner's output above names the cell and the error)");
        assertTrue(r.output.contains("notebook(s) in") && r.output.contains("0 failed"), r.output);
    }

    @Test
    void aBrokenNotebookFailsTheRunnerShowingTheCellAndTheError(@TempDir Path dir) throws Exception {
        requireJupyter();
        Path nb = dir.resolve("broken.ipynb");
        Files.writeString(nb, notebook("int answer = 42;",
                "if (answer == 42) {\\n    throw new IllegalStateException(\\\"deliberately broken\\\");\\n}",
                "System.out.println(\\\"never reached\\\");"));
        Result r = run(List.of(python(), RUNNER.toString(), "run", "--out", dir.resolve("out").toString(),
                nb.toString()), 300);
        assertNotEquals(0, r.exitCode, "the runner must fail on a failing cell:\n" + r.output);
        assertTrue(r.output.contains("NOTEBOOK FAILED: broken.ipynb, cell 1"), r.output);
        assertTrue(r.output.contains("throw new IllegalStateException(\"deliberately broken\");"), r.output);
        assertTrue(r.output.contains("java.lang.IllegalStateException: deliberately broken"), r.output);
        assertFalse(r.output.contains("never reached"), r.output);
    }

    @Test
    void aNotebookThatDoesNotCompileFailsTheRunner(@TempDir Path dir) throws Exception {
        requireJupyter();
        Path nb = dir.resolve("typo.ipynb");
        Files.writeString(nb, notebook("int x = undefinedVariable + 1;"));
        Result r = run(List.of(python(), RUNNER.toString(), "run", "--out", dir.resolve("out").toString(),
                nb.toString()), 300);
        assertNotEquals(0, r.exitCode, r.output);
        assertTrue(r.output.contains("NOTEBOOK FAILED: typo.ipynb, cell 0"), r.output);
        assertTrue(r.output.contains("cannot find symbol"), r.output);
    }

    @Test
    void aKernelStartThatHangsIsKilledAndRetried(@TempDir Path dir) throws Exception {
        requireJupyter();
        Path jar;
        try (Stream<Path> s = Files.list(BUILD)) {
            jar = s.filter(p -> p.getFileName().toString().startsWith("rapaio-jupyter-kernel-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no kernel jar in " + BUILD + "; the build copies it"));
        }
        // a kernelspec whose first start never answers (as the real kernel's start sometimes does)
        Path spec = Files.createDirectories(dir.resolve("kernels").resolve("ssm4j-java"));
        Path wrapper = spec.resolve("hang-once.sh");
        Files.writeString(wrapper, String.join("\n", "#!/bin/bash",
                "marker=\"$(dirname \"$0\")/started-once\"",
                "if [ ! -e \"$marker\" ]; then touch \"$marker\"; exec sleep 600; fi",
                "exec java -jar '" + jar + "' \"$1\"", ""));
        Files.writeString(spec.resolve("kernel.json"), """
                {"argv": ["bash", "%s", "{connection_file}"], "display_name": "hangs once", "language": "java",
                 "interrupt_mode": "message", "env": {"RJK_CLASSPATH": "", "RJK_TIMEOUT_MILLIS": "-1"}}
                """.formatted(wrapper));
        Path nb = dir.resolve("tiny.ipynb");
        Files.writeString(nb, notebook("System.out.println(6 * 7);"));
        Result r = run(List.of(python(), RUNNER.toString(), "run", "--kernelspec", spec.toString(),
                "--startup-timeout", "20", "--out", dir.resolve("out").toString(), nb.toString()), 300);
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.contains("kernel start 1 of 5 failed") && r.output.contains("retrying"), r.output);
        // attempt 2 normally; later if the real kernel's own start hung too
        assertTrue(java.util.regex.Pattern.compile("kernel ready in .* \\(attempt [2-5]\\)").matcher(r.output).find(),
                r.output);
        assertTrue(Files.readString(dir.resolve("out").resolve("tiny.ipynb")).contains("42"), "the cell ran");
    }

    /** A notebook for the project's kernel with one code cell per (JSON-escaped) source. */
    private static String notebook(String... sources) {
        StringBuilder cells = new StringBuilder();
        for (String s : sources) {
            if (cells.length() > 0) {
                cells.append(",\n");
            }
            cells.append("{\"cell_type\": \"code\", \"execution_count\": null, \"metadata\": {}, \"outputs\": [], "
                    + "\"source\": \"").append(s).append("\"}");
        }
        return "{\"cells\": [" + cells + "], \"metadata\": {\"kernelspec\": {\"name\": \"ssm4j-java\", "
                + "\"display_name\": \"Java (ssm4j)\", \"language\": \"java\"}}, \"nbformat\": 4, \"nbformat_minor\": 4}";
    }

    private static String python() {
        String p = System.getenv("SSM4J_PYTHON");
        return p != null && !p.isBlank() ? p : "/usr/bin/python3";
    }

    private static void requireJupyter() throws Exception {
        String why = null;
        try {
            Result r = run(List.of(python(), "-c", "import nbclient, nbformat, jupyter_client"), 120);
            if (r.exitCode != 0) {
                String[] lines = r.output.strip().split("\n");
                why = python() + " cannot import nbclient (" + lines[lines.length - 1].strip() + ")";
            }
        } catch (IOException e) {
            why = "no " + python() + " (" + e.getMessage() + ")";
        }
        if (why != null) {
            why += ". Install Jupyter with `apt-get install -y --no-install-recommends jupyter-nbconvert "
                    + "python3-nbclient jupyter-client` (Debian), or point SSM4J_PYTHON at a python that has nbclient.";
            if ("1".equals(System.getenv("SSM4J_REQUIRE_NOTEBOOKS"))) {
                fail("SSM4J_REQUIRE_NOTEBOOKS=1 but " + why);
            }
            Assumptions.abort("Skipping notebook execution: " + why);
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs a command, echoing its output as it comes (so CI logs show a failing cell) and returning it. */
    private static Result run(List<String> command, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println(line);
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(5000);
            fail("timed out after " + timeoutSeconds + " s: " + command + "\n" + out);
        }
        reader.join(5000);
        synchronized (out) {
            return new Result(p.exitValue(), out.toString());
        }
    }
}
