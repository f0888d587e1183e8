package io.github.ssm4j.examples.data;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads the gzipped CSV tables shipped as resources, verifying the SHA-256 of their decompressed bytes. */
final class ShippedTables {
    private ShippedTables() {
    }

    /** The decompressed bytes of resource {@code name} (next to this class), checked against sha256. */
    static byte[] resource(String name, String sha256) {
        try (InputStream in = ShippedTables.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new DatasetException("Resource " + name + " is missing from the ssm-examples jar"
                        + " (io/github/ssm4j/examples/data/" + name + "): rebuild ssm4j");
            }
            byte[] bytes = new GZIPInputStream(in).readAllBytes();
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!digest.equals(sha256)) {
                throw new DatasetException("Resource " + name + ": SHA-256 of the decompressed content is " + digest
                        + ", expected " + sha256 + ": the shipped file is damaged; rebuild ssm4j");
            }
            return bytes;
        } catch (IOException e) {
            throw new DatasetException("Resource " + name + ": cannot read: " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Parses comma-separated lines into rows of doubles, skipping the first {@code skip} lines. */
    static List<double[]> parse(String name, byte[] csv, int skip, int columns) {
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(csv),
                StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (lineNo <= skip || line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != columns) {
                    throw new DatasetException(name + " line " + lineNo + ": " + f.length + " columns, expected "
                            + columns);
                }
                double[] row = new double[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = Double.parseDouble(f[i].trim());
                }
                rows.add(row);
            }
        } catch (IOException | NumberFormatException e) {
            throw new DatasetException(name + ": cannot parse: " + e, e);
        }
        return rows;
    }

    /** The row indices of a split of a table without an official one: TEST = rows ≡ 4 (mod 5). */
    static int[] splitRows(int n, Split split) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean test = i % 5 == 4;
            if (split == Split.ALL || (split == Split.TEST) == test) {
                idx.add(i);
            }
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }
}
