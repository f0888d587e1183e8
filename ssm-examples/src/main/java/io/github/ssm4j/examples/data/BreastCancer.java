package io.github.ssm4j.examples.data;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * scikit-learn's breast cancer table: the Breast Cancer Wisconsin (Diagnostic) dataset of UCI, 569 cases
 * with 30 real features (mean, standard error and worst value of ten measurements of cell nuclei), labels
 * 0 = malignant (212), 1 = benign (357), as in scikit-learn. Shipped as a resource (scikit-learn 1.2.1's
 * {@code breast_cancer.csv}, gzipped; BSD 3-Clause; see {@code LICENSE-scikit-learn.txt} and
 * {@code CITATION.txt}), verified by SHA-256 on loading.
 *
 * <p>Features {@code [n, 30]}, standardised column by column (zero mean, unit variance, the population
 * standard deviation as scikit-learn's StandardScaler) with the statistics of the TRAIN rows for TRAIN and
 * TEST, of all rows for ALL; or raw. Splits: see {@link Split} (TRAIN 456, TEST 113, ALL 569 rows).
 *
 * <p>Stability: public API.
 */
public final class BreastCancer {
    public static final String NAME = "breast-cancer";
    public static final int ROWS = 569;
    public static final int FEATURES = 30;
    /** SHA-256 of scikit-learn 1.2.1's {@code breast_cancer.csv} (the decompressed resource). */
    static final String SHA256 = "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed";
    private static final List<String> CLASSES = List.of("malignant", "benign");

    /** The 30 feature names, in column order, as scikit-learn names them. */
    public static final List<String> FEATURE_NAMES = List.of("mean radius", "mean texture", "mean perimeter",
            "mean area", "mean smoothness", "mean compactness", "mean concavity", "mean concave points",
            "mean symmetry", "mean fractal dimension", "radius error", "texture error", "perimeter error",
            "area error", "smoothness error", "compactness error", "concavity error", "concave points error",
            "symmetry error", "fractal dimension error", "worst radius", "worst texture", "worst perimeter",
            "worst area", "worst smoothness", "worst compactness", "worst concavity", "worst concave points",
            "worst symmetry", "worst fractal dimension");

    private BreastCancer() {
    }

    /** The split, standardised, float32. */
    public static LabeledData load(Split split) {
        return load(split, false, DataType.FLOAT);
    }

    /**
     * @param raw true for the values as measured, false for standardised columns
     */
    public static LabeledData load(Split split, boolean raw, DataType dataType) {
        byte[] csv = ShippedTables.resource("breast_cancer.csv.gz", SHA256);
        List<double[]> rows = ShippedTables.parse("breast_cancer.csv.gz", csv, 1, FEATURES + 1);
        if (rows.size() != ROWS) {
            throw new DatasetException("breast_cancer.csv.gz: " + rows.size() + " rows, expected " + ROWS);
        }
        int[] idx = ShippedTables.splitRows(ROWS, split);
        double[] mean = new double[FEATURES];
        double[] std = new double[FEATURES];
        java.util.Arrays.fill(std, 1);
        if (!raw) {
            int[] statRows = ShippedTables.splitRows(ROWS, split == Split.ALL ? Split.ALL : Split.TRAIN);
            for (int j = 0; j < FEATURES; j++) {
                double s = 0;
                for (int r : statRows) {
                    s += rows.get(r)[j];
                }
                mean[j] = s / statRows.length;
                double v = 0;
                for (int r : statRows) {
                    double d = rows.get(r)[j] - mean[j];
                    v += d * d;
                }
                std[j] = Math.sqrt(v / statRows.length);
            }
        }
        double[] x = new double[idx.length * FEATURES];
        int[] labels = new int[idx.length];
        for (int r = 0; r < idx.length; r++) {
            double[] row = rows.get(idx[r]);
            for (int j = 0; j < FEATURES; j++) {
                x[r * FEATURES + j] = (row[j] - mean[j]) / std[j];
            }
            labels[r] = (int) row[FEATURES];
        }
        return new LabeledData(NAME, Nd4j.createFromArray(x).reshape(idx.length, FEATURES).castTo(dataType), labels,
                CLASSES, new long[] {FEATURES});
    }
}
