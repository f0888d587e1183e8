package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fashion-MNIST from Debian's {@code dataset-fashion-mnist} (gzipped IDX files): skipped, with the install
 * command as the reason, when the package is not installed.
 */
class FashionMnistTest {
    @TempDir
    Path tmp;

    private static Path realDir() {
        Path dir = FashionMnist.defaultDirectory();
        assumeTrue(FashionMnist.isPresent(dir), "Fashion-MNIST is not in " + dir + "; get it with: "
                + FashionMnist.fetchCommand(dir));
        return dir;
    }

    @Test
    void missingDatasetNamesTheExactInstallCommand() {
        assertEquals("apt-get install -y dataset-fashion-mnist", FashionMnist.fetchCommand(FashionMnist.DEBIAN_DIRECTORY));
        Path nowhere = tmp.resolve("nowhere");
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> FashionMnist.load(nowhere, Split.TEST, false, DataType.FLOAT));
        assertTrue(e.fetchCommand().startsWith("apt-get install -y dataset-fashion-mnist && "), e.fetchCommand());
        assertTrue(e.getMessage().contains(e.fetchCommand()), e.getMessage());
    }

    @Test
    void loadsBothSplitsWithBalancedClasses() {
        Path dir = realDir();
        LabeledData train = FashionMnist.load(dir, Split.TRAIN, false, DataType.FLOAT);
        assertArrayEquals(new long[] {60_000, 784}, train.features().shape());
        int[] sixThousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        assertArrayEquals(sixThousand, train.classCounts());
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(train.labels(), 10));
        assertEquals(1, train.features().maxNumber().doubleValue(), 0);
        assertEquals(76247 / 255.0, train.features().getRow(0).sumNumber().doubleValue(), 1e-3);
        assertEquals("Ankle boot", train.classNames().get(9));
        LabeledData test = FashionMnist.load(dir, Split.TEST, true, DataType.FLOAT);
        assertEquals(10_000, test.size());
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, test.classCounts());
        assertEquals(255, test.features().maxNumber().doubleValue(), 0);
    }

    @Test
    void truncatedGzipCopyIsReported() throws Exception {
        Path dir = realDir();
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        Files.copy(dir.resolve("t10k-images-idx3-ubyte.gz"), copy.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] labels = Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.write(copy.resolve("t10k-labels-idx1-ubyte.gz"), Arrays.copyOf(labels, labels.length - 2000));
        String m = assertThrows(DatasetException.class, () -> FashionMnist.load(copy, Split.TEST, false, DataType.FLOAT))
                .getMessage();
        assertTrue(m.contains("truncated") && m.contains("t10k-labels-idx1-ubyte.gz"), m);
    }
}
