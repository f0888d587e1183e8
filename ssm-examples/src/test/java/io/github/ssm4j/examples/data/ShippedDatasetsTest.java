package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The datasets shipped as resources: shapes, value ranges, known values (from scikit-learn 1.2.1), splits. */
class ShippedDatasetsTest {

    @Test
    void digitsAreThe1797ImagesOfScikitLearn() {
        LabeledData raw = Digits.load(Split.ALL, true, DataType.DOUBLE);
        assertArrayEquals(new long[] {1797, 64}, raw.features().shape());
        assertArrayEquals(new long[] {8, 8}, raw.exampleShape());
        assertEquals(10, raw.numClasses());
        // load_digits(): first image, its first two rows; labels 0..9 for the first ten
        double[] firstRows = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0};
        for (int j = 0; j < 16; j++) {
            assertEquals(firstRows[j], raw.features().getDouble(0, j), 0);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(i, raw.label(i));
        }
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, raw.classCounts());
        assertEquals(561718.0, raw.features().sumNumber().doubleValue(), 0);
        assertEquals(0, raw.features().minNumber().doubleValue(), 0);
        assertEquals(16, raw.features().maxNumber().doubleValue(), 0);
        INDArray integral = raw.features().sub(org.nd4j.linalg.ops.transforms.Transforms.round(raw.features()));
        assertEquals(0, integral.amaxNumber().doubleValue(), 0, "counts are integers");
        assertEquals(raw.features().getDouble(0, 10), raw.shapedFeatures().getDouble(0, 1, 2), 0);
    }

    @Test
    void digitsScaleToTheUnitIntervalAndSplitEveryFifthRow() {
        LabeledData all = Digits.load(Split.ALL);
        assertEquals(DataType.FLOAT, all.features().dataType());
        assertEquals(1, all.features().maxNumber().doubleValue(), 0);
        assertEquals(13.0 / 16, all.features().getDouble(0, 3), 1e-7);
        LabeledData train = Digits.load(Split.TRAIN);
        LabeledData test = Digits.load(Split.TEST);
        assertEquals(1438, train.size());
        assertEquals(359, test.size());
        assertEquals(all.label(4), test.label(0));
        assertEquals(all.label(9), test.label(1));
        assertEquals(all.features().getRow(5), train.features().getRow(4));
    }

    @Test
    void breastCancerIsThe569CasesOfScikitLearn() {
        LabeledData raw = BreastCancer.load(Split.ALL, true, DataType.DOUBLE);
        assertArrayEquals(new long[] {569, 30}, raw.features().shape());
        assertEquals(java.util.List.of("malignant", "benign"), raw.classNames());
        assertArrayEquals(new int[] {212, 357}, raw.classCounts());
        double[] first = {17.99, 10.38, 122.8, 1001, 0.1184};
        double[] last = {7.76, 24.54, 47.92, 181.0, 0.05263};
        for (int j = 0; j < 5; j++) {
            assertEquals(first[j], raw.features().getDouble(0, j), 0);
            assertEquals(last[j], raw.features().getDouble(568, j), 0);
        }
        assertEquals(0, raw.label(0), "the first case is malignant");
        assertEquals(1056474.4596356, raw.features().sumNumber().doubleValue(), 1e-6);
        assertEquals(30, BreastCancer.FEATURE_NAMES.size());
        // scikit-learn's summary table: mean radius in [6.981, 28.11], mean area in [143.5, 2501]
        INDArray col0 = raw.features().getColumn(0);
        assertEquals(6.981, col0.minNumber().doubleValue(), 0);
        assertEquals(28.11, col0.maxNumber().doubleValue(), 0);
        assertEquals(2501.0, raw.features().getColumn(3).maxNumber().doubleValue(), 0);
    }

    @Test
    void breastCancerStandardisesWithTheTrainingStatistics() {
        LabeledData all = BreastCancer.load(Split.ALL, false, DataType.DOUBLE);
        for (int j = 0; j < 30; j++) {
            INDArray c = all.features().getColumn(j);
            assertEquals(0, c.meanNumber().doubleValue(), 1e-12, "column " + j + " mean");
            assertEquals(1, c.stdNumber().doubleValue() * Math.sqrt(568.0 / 569), 1e-12, "column " + j + " std");
        }
        // sklearn: mean radius 14.12729174, population std 3.52095076
        assertEquals((17.99 - 14.12729174) / 3.52095076, all.features().getDouble(0, 0), 1e-8);
        LabeledData train = BreastCancer.load(Split.TRAIN, false, DataType.DOUBLE);
        LabeledData test = BreastCancer.load(Split.TEST, false, DataType.DOUBLE);
        assertEquals(456, train.size());
        assertEquals(113, test.size());
        assertEquals(0, train.features().getColumn(0).meanNumber().doubleValue(), 1e-12);
        double testMean = test.features().getColumn(0).meanNumber().doubleValue();
        assertTrue(Math.abs(testMean) > 1e-6 && Math.abs(testMean) < 0.5, "test rows use the training statistics");
    }

    @Test
    void licenceAndCitationShipBesideTheData() throws Exception {
        for (String name : new String[] {"LICENSE-scikit-learn.txt", "CITATION.txt", "digits.rst", "breast_cancer.rst"}) {
            try (InputStream in = Digits.class.getResourceAsStream(name)) {
                assertNotNull(in, name);
                String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(text.length() > 500, name);
            }
        }
        try (InputStream in = Digits.class.getResourceAsStream("LICENSE-scikit-learn.txt")) {
            assertTrue(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .contains("Redistribution and use in source and binary forms"));
        }
    }

    @Test
    void iteratorGivesOneHotLabels() {
        var it = Digits.load(Split.TEST).iterator(100);
        var batch = it.next();
        assertArrayEquals(new long[] {100, 64}, batch.getFeatures().shape());
        assertArrayEquals(new long[] {100, 10}, batch.getLabels().shape());
        assertEquals(100, batch.getLabels().sumNumber().doubleValue(), 0);
        assertEquals(java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), it.getLabels());
    }
}
