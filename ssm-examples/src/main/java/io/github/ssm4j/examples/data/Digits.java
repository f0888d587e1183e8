package io.github.ssm4j.examples.data;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * scikit-learn's digits: 1797 handwritten digits as 8×8 images of counts 0..16 (the test set of UCI's
 * "Optical Recognition of Handwritten Digits"), 10 classes. Shipped with ssm4j as a resource (scikit-learn
 * 1.2.1's {@code digits.csv.gz}, BSD 3-Clause; see {@code LICENSE-scikit-learn.txt} and
 * {@code CITATION.txt} beside it), verified by SHA-256 on loading.
 *
 * <p>Features {@code [n, 64]} (row-major 8×8), scaled to [0, 1] by /16, or the raw counts 0..16. Splits:
 * see {@link Split} (TRAIN 1438, TEST 359, ALL 1797 rows).
 *
 * <p>Stability: public API.
 */
public final class Digits {
    public static final String NAME = "digits";
    public static final int ROWS = 1797;
    public static final int FEATURES = 64;
    /** SHA-256 of the decompressed {@code digits.csv.gz} of scikit-learn 1.2.1. */
    static final String SHA256 = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8";
    private static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private Digits() {
    }

    /** The split scaled to [0, 1], float32. */
    public static LabeledData load(Split split) {
        return load(split, false, DataType.FLOAT);
    }

    /**
     * @param raw true for the counts 0..16, false for counts/16 in [0, 1]
     */
    public static LabeledData load(Split split, boolean raw, DataType dataType) {
        List<double[]> rows = ShippedTables.parse("digits.csv.gz", ShippedTables.resource("digits.csv.gz", SHA256),
                0, FEATURES + 1);
        if (rows.size() != ROWS) {
            throw new DatasetException("digits.csv.gz: " + rows.size() + " rows, expected " + ROWS);
        }
        int[] idx = ShippedTables.splitRows(ROWS, split);
        double[] x = new double[idx.length * FEATURES];
        int[] labels = new int[idx.length];
        double scale = raw ? 1 : 1.0 / 16;
        for (int r = 0; r < idx.length; r++) {
            double[] row = rows.get(idx[r]);
            for (int j = 0; j < FEATURES; j++) {
                x[r * FEATURES + j] = row[j] * scale;
            }
            labels[r] = (int) row[FEATURES];
        }
        return new LabeledData(NAME, Nd4j.createFromArray(x).reshape(idx.length, FEATURES).castTo(dataType), labels,
                CLASSES, new long[] {8, 8});
    }
}
