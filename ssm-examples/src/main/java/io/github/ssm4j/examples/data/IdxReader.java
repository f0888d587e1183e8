package io.github.ssm4j.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number
 * {@code 0x00 0x00 <type> <rank>}, {@code rank} big-endian 32-bit dimensions, then the elements in row-major
 * order, big-endian. Types: 0x08 unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float,
 * 0x0E double. Gzip-compressed files ({@code .gz}, recognised by their first bytes) are decompressed on
 * the fly.
 *
 * <p>Everything is verified and a mismatch is an exception naming the file, what was expected and what
 * was found: the magic bytes, the element type and dimensions (when expected ones are given), the length
 * (a truncated file, or bytes after the data), and the SHA-256 of the (decompressed) content when an
 * expected digest is given.
 *
 * <p>Stability: public API.
 */
public final class IdxReader {
    public static final int UBYTE = 0x08;
    public static final int BYTE = 0x09;
    public static final int SHORT = 0x0B;
    public static final int INT = 0x0C;
    public static final int FLOAT = 0x0D;
    public static final int DOUBLE = 0x0E;

    private IdxReader() {
    }

    /** The content of an IDX file: element type, dimensions, raw big-endian element bytes, SHA-256. */
    public record Idx(Path source, int type, int[] dims, byte[] data, String sha256) {
        /** The number of elements. */
        public long elements() {
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }

        /** Element i as a double (unsigned for type 0x08). */
        public double get(long i) {
            int k = (int) (i * elementSize(type));
            switch (type) {
                case UBYTE:
                    return data[k] & 0xFF;
                case BYTE:
                    return data[k];
                case SHORT:
                    return (short) (((data[k] & 0xFF) << 8) | (data[k + 1] & 0xFF));
                case INT:
                    return readInt(data, k);
                case FLOAT:
                    return Float.intBitsToFloat(readInt(data, k));
                default:
                    return Double.longBitsToDouble(((long) readInt(data, k) << 32) | (readInt(data, k + 4) & 0xFFFFFFFFL));
            }
        }

        private static int readInt(byte[] b, int k) {
            return ((b[k] & 0xFF) << 24) | ((b[k + 1] & 0xFF) << 16) | ((b[k + 2] & 0xFF) << 8) | (b[k + 3] & 0xFF);
        }
    }

    /** Reads and checks the format only. */
    public static Idx read(Path file) {
        return read(file, -1, null, null, null);
    }

    /**
     * Reads {@code file} and checks it.
     *
     * @param expectedType the element type, or −1 for any
     * @param expectedDims the dimensions, or null for any
     * @param expectedSha256 lowercase hex SHA-256 of the decompressed content, or null to skip
     * @param fetchCommand appended to error messages as the way to get a good copy; may be null
     * @throws DatasetUnavailableException if the file does not exist (only with a fetch command)
     * @throws DatasetException if the file is not as expected
     */
    public static Idx read(Path file, int expectedType, int[] expectedDims, String expectedSha256,
            String fetchCommand) {
        String hint = fetchCommand == null ? "" : "\nGet a good copy with:\n    " + fetchCommand;
        try (InputStream raw = Files.newInputStream(file)) {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            InputStream content = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            DataInputStream in = new DataInputStream(new DigestInputStream(content, sha));
            return readContent(file, gzip, in, sha, expectedType, expectedDims, expectedSha256, hint);
        } catch (NoSuchFileException e) {
            if (fetchCommand != null) {
                throw new DatasetUnavailableException("Missing file " + file, fetchCommand);
            }
            throw new DatasetException("Missing file " + file, e);
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated (the data end before the header does: "
                    + e.getMessage() + ")" + hint, e);
        } catch (ZipException e) {
            throw new DatasetException(file + ": corrupt gzip data (" + e.getMessage() + ")" + hint, e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e + hint, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static Idx readContent(Path file, boolean gzip, DataInputStream in, MessageDigest sha,
            int expectedType, int[] expectedDims, String expectedSha256, String hint) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4) {
            throw new DatasetException(file + ": truncated: " + got + " bytes, shorter than the 4-byte IDX magic"
                    + " number" + hint);
        }
        int type = magic[2] & 0xFF;
        int rank = magic[3] & 0xFF;
        if (magic[0] != 0 || magic[1] != 0 || elementSize(type) == 0 || rank == 0) {
            throw new DatasetException(String.format("%s: not an IDX file: magic number %02x %02x %02x %02x,"
                    + " expected 00 00 <type 08|09|0b|0c|0d|0e> <rank >= 1>%s", file, magic[0], magic[1],
                    magic[2], magic[3], hint));
        }
        if (expectedType >= 0 && type != expectedType) {
            throw new DatasetException(String.format("%s: IDX element type 0x%02x, expected 0x%02x%s", file, type,
                    expectedType, hint));
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) {
                throw new DatasetException(file + ": negative dimension " + dims[i] + " in the IDX header" + hint);
            }
        }
        if (expectedDims != null && !Arrays.equals(dims, expectedDims)) {
            throw new DatasetException(file + ": dimensions " + Arrays.toString(dims) + ", expected "
                    + Arrays.toString(expectedDims) + hint);
        }
        long headerBytes = 4L + 4L * rank;
        long payload = elementSize(type);
        for (int d : dims) {
            payload *= d;
        }
        if (payload > Integer.MAX_VALUE - 16) {
            throw new DatasetException(file + ": " + payload + " bytes of data, too many to load" + hint);
        }
        long expectedLength = headerBytes + payload;
        if (!gzip) {
            long size = Files.size(file);
            if (size != expectedLength) {
                throw new DatasetException(lengthMessage(file, dims, type, expectedLength, size, "") + hint);
            }
        }
        byte[] data = new byte[(int) payload];
        int n;
        try {
            n = in.readNBytes(data, 0, data.length);
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated gzip stream inside the data (dimensions "
                    + Arrays.toString(dims) + " need " + expectedLength + " bytes decompressed)" + hint, e);
        }
        if (n < payload) {
            throw new DatasetException(lengthMessage(file, dims, type, expectedLength, headerBytes + n,
                    " decompressed") + hint);
        }
        if (in.read() != -1) {
            long extra = 1;
            while (in.read() != -1) {
                extra++;
            }
            throw new DatasetException(lengthMessage(file, dims, type, expectedLength, expectedLength + extra,
                    " decompressed") + hint);
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(digest)) {
            throw new DatasetException(file + ": SHA-256 of the " + (gzip ? "decompressed " : "") + "content is "
                    + digest + ", expected " + expectedSha256 + ": the file is damaged or another version" + hint);
        }
        return new Idx(file, type, dims, data, digest);
    }

    private static String lengthMessage(Path file, int[] dims, int type, long expected, long actual, String how) {
        String what = actual < expected ? "truncated" : "too long";
        return String.format("%s: %s: the IDX header says %s elements of %d byte(s), so %d bytes in all, but the"
                + " file has %d%s bytes", file, what, Arrays.toString(dims), elementSize(type), expected, actual, how);
    }

    static int elementSize(int type) {
        switch (type) {
            case UBYTE:
            case BYTE:
                return 1;
            case SHORT:
                return 2;
            case INT:
            case FLOAT:
                return 4;
            case DOUBLE:
                return 8;
            default:
                return 0;
        }
    }
}
