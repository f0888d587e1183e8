package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MNIST loading: without the data, the errors (missing, wrong, truncated files) on generated files; with
 * it (after {@code bash scripts/fetch-mnist.sh}), the real sets, and damaged copies of them. The tests
 * that need the data are skipped, with the fetch command as the reason, when it is absent.
 */
class MnistTest {
    @TempDir
    Path tmp;

    private static Path realDir() {
        Path dir = Mnist.defaultDirectory();
        assumeTrue(Mnist.isPresent(dir), "MNIST is not in " + dir + "; fetch it with: " + Mnist.fetchCommand(dir));
        return dir;
    }

    @Test
    void missingDatasetNamesTheExactFetchCommand() {
        assertEquals("bash scripts/fetch-mnist.sh", Mnist.fetchCommand(Mnist.dataRoot().resolve("mnist")));
        Path nowhere = tmp.resolve("nowhere");
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> Mnist.load(nowhere, Split.TRAIN, false, DataType.FLOAT));
        assertEquals("bash scripts/fetch-mnist.sh '" + nowhere + "'", e.fetchCommand());
        assertTrue(e.getMessage().contains("bash scripts/fetch-mnist.sh '" + nowhere + "'"), e.getMessage());
        // a folder with some files but not all
        DatasetUnavailableException partial = assertThrows(DatasetUnavailableException.class,
                () -> Mnist.load(tmp, Split.TEST, false, DataType.FLOAT));
        assertTrue(partial.getMessage().contains("t10k-images-idx3-ubyte"), partial.getMessage());
    }

    @Test
    void filesOfTheWrongSizeAreRejected() throws Exception {
        Files.write(tmp.resolve("t10k-images-idx3-ubyte"), IdxReaderTest.ubyteIdx(100, 28, 28));
        Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), IdxReaderTest.ubyteIdx(100));
        DatasetException e = assertThrows(DatasetException.class,
                () -> Mnist.load(tmp, Split.TEST, false, DataType.FLOAT));
        assertTrue(e.getMessage().contains("[100, 28, 28]") && e.getMessage().contains("[10000, 28, 28]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("fetch-mnist.sh"), e.getMessage());
    }

    @Test
    void trainingSetIsTheCanonicalSixtyThousand() {
        LabeledData train = Mnist.load(realDir(), Split.TRAIN, false, DataType.FLOAT);
        assertArrayEquals(new long[] {60_000, 784}, train.features().shape());
        assertArrayEquals(new long[] {28, 28}, train.exampleShape());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, train.classCounts());
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, java.util.Arrays.copyOf(train.labels(), 10));
        assertEquals(0, train.features().minNumber().doubleValue(), 0);
        assertEquals(1, train.features().maxNumber().doubleValue(), 0);
        assertEquals(27525 / 255.0, train.features().getRow(0).sumNumber().doubleValue(), 1e-3);
    }

    @Test
    void testSetIsTheCanonicalTenThousandInRawLevels() {
        LabeledData test = Mnist.load(realDir(), Split.TEST, true, DataType.DOUBLE);
        assertArrayEquals(new long[] {10_000, 784}, test.features().shape());
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test.classCounts());
        assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, java.util.Arrays.copyOf(test.labels(), 10));
        assertEquals(255, test.features().maxNumber().doubleValue(), 0);
    }

    /** A copy of the real test files in tmp. */
    private Path copyOfTestSet() throws Exception {
        Path dir = realDir();
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        for (String f : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            Files.copy(dir.resolve(f), copy.resolve(f));
        }
        return copy;
    }

    @Test
    void truncatedCopyIsReportedWithItsExpectedLength() throws Exception {
        Path copy = copyOfTestSet();
        Path labels = copy.resolve("t10k-labels-idx1-ubyte");
        try (var ch = Files.newByteChannel(labels, StandardOpenOption.WRITE)) {
            ch.truncate(10_008 - 100);
        }
        String m = assertThrows(DatasetException.class, () -> Mnist.load(copy, Split.TEST, false, DataType.FLOAT))
                .getMessage();
        assertTrue(m.contains("truncated") && m.contains("10008") && m.contains("9908"), m);
    }

    @Test
    void wrongMagicNumberAndFlippedPixelAreReported() throws Exception {
        Path copy = copyOfTestSet();
        Path images = copy.resolve("t10k-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(images);
        b[2] = 0x0A;
        Files.write(images, b);
        String magic = assertThrows(DatasetException.class, () -> Mnist.load(copy, Split.TEST, false, DataType.FLOAT))
                .getMessage();
        assertTrue(magic.contains("not an IDX file") && magic.contains("00 00 0a 03"), magic);
        b[2] = 0x08;
        b[5000] ^= 0x40;
        Files.write(images, b);
        String sha = assertThrows(DatasetException.class, () -> Mnist.load(copy, Split.TEST, false, DataType.FLOAT))
                .getMessage();
        assertTrue(sha.contains("SHA-256") && sha.contains(Mnist.TEST_IMAGES.sha256()), sha);
    }
}
