package io.github.ssm4j.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** An MNIST-layout image set: 28×28 unsigned-byte images and labels 0..9 in IDX files, verified. */
final class IdxImageSet {
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;

    /** One IDX file of the set: its name, the number of examples, and the SHA-256 of its content. */
    record Part(String fileName, int count, String sha256) {
    }

    private IdxImageSet() {
    }

    /** The path of {@code fileName} in dir, or of {@code fileName.gz} when only that exists. */
    static Path locate(Path dir, String fileName) {
        Path plain = dir.resolve(fileName);
        Path gz = dir.resolve(fileName + ".gz");
        return !Files.exists(plain) && Files.exists(gz) ? gz : plain;
    }

    static boolean present(Path dir, List<Part> parts) {
        for (Part p : parts) {
            if (!Files.isRegularFile(locate(dir, p.fileName()))) {
                return false;
            }
        }
        return true;
    }

    /** Reads (images, labels) pairs and concatenates them. */
    static LabeledData load(String name, Path dir, List<Part[]> pairs, boolean raw, DataType dataType,
            List<String> classNames, String fetchCommand) {
        int n = 0;
        for (Part[] pair : pairs) {
            n += pair[0].count();
        }
        boolean dbl = dataType == DataType.DOUBLE;
        float[] xf = dbl ? null : new float[n * PIXELS];
        double[] xd = dbl ? new double[n * PIXELS] : null;
        int[] labels = new int[n];
        int offset = 0;
        for (Part[] pair : pairs) {
            Part img = pair[0];
            Part lab = pair[1];
            IdxReader.Idx images = IdxReader.read(locate(dir, img.fileName()), IdxReader.UBYTE,
                    new int[] {img.count(), SIDE, SIDE}, img.sha256(), fetchCommand);
            IdxReader.Idx labs = IdxReader.read(locate(dir, lab.fileName()), IdxReader.UBYTE,
                    new int[] {lab.count()}, lab.sha256(), fetchCommand);
            byte[] pix = images.data();
            double scale = raw ? 1 : 1.0 / 255;
            for (int i = 0; i < pix.length; i++) {
                double v = (pix[i] & 0xFF) * scale;
                if (dbl) {
                    xd[offset * PIXELS + i] = v;
                } else {
                    xf[offset * PIXELS + i] = (float) v;
                }
            }
            byte[] lb = labs.data();
            for (int i = 0; i < lb.length; i++) {
                int label = lb[i] & 0xFF;
                if (label >= classNames.size()) {
                    throw new DatasetException(labs.source() + ": label " + label + " at index " + i
                            + ", expected 0.." + (classNames.size() - 1));
                }
                labels[offset + i] = label;
            }
            offset += img.count();
        }
        INDArray features = dbl ? Nd4j.createFromArray(xd).reshape(n, PIXELS)
                : Nd4j.createFromArray(xf).reshape(n, PIXELS);
        if (!dbl && dataType != DataType.FLOAT) {
            features = features.castTo(dataType);
        }
        return new LabeledData(name, features, labels, classNames, new long[] {SIDE, SIDE});
    }
}
