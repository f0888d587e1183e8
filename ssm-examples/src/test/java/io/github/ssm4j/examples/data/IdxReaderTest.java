package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader on small generated files: contents, gzip, and every way a file can be wrong. */
class IdxReaderTest {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes 0, 1, 2, ... (mod 256) with the given dimensions. */
    static byte[] ubyteIdx(int... dims) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {0, 0, 0x08, (byte) dims.length});
        int n = 1;
        for (int d : dims) {
            out.writeInt(d);
            n *= d;
        }
        for (int i = 0; i < n; i++) {
            out.write(i * 37 % 256);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void readsUnsignedBytesInRowMajorOrder() throws Exception {
        byte[] file = ubyteIdx(3, 2, 5);
        IdxReader.Idx idx = IdxReader.read(write("a-idx3-ubyte", file), IdxReader.UBYTE, new int[] {3, 2, 5},
                sha256(file), null);
        assertArrayEquals(new int[] {3, 2, 5}, idx.dims());
        assertEquals(30, idx.elements());
        assertEquals(IdxReader.UBYTE, idx.type());
        for (int i = 0; i < 30; i++) {
            assertEquals(i * 37 % 256, idx.get(i), 0, "element " + i + " (unsigned)");
        }
        assertEquals(sha256(file), idx.sha256());
    }

    @Test
    void readsGzippedFilesAndChecksTheDecompressedDigest() throws Exception {
        byte[] file = ubyteIdx(4, 3);
        IdxReader.Idx idx = IdxReader.read(write("b.gz", gzip(file)), IdxReader.UBYTE, new int[] {4, 3},
                sha256(file), null);
        assertEquals(12, idx.elements());
        assertEquals(7 * 37 % 256, idx.get(7), 0);
    }

    @Test
    void readsOtherElementTypes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {0, 0, 0x0D, 1});
        out.writeInt(3);
        out.writeFloat(1.5f);
        out.writeFloat(-2f);
        out.writeFloat(1e-3f);
        IdxReader.Idx idx = IdxReader.read(write("f", bytes.toByteArray()));
        assertEquals(IdxReader.FLOAT, idx.type());
        assertEquals(-2, idx.get(1), 0);
        assertEquals(1e-3f, (float) idx.get(2), 0);
    }

    @Test
    void truncatedFileSaysHowLongItShouldBe() throws Exception {
        byte[] file = ubyteIdx(10, 4, 4);
        Path p = write("short", Arrays.copyOf(file, file.length - 7));
        DatasetException e = assertThrows(DatasetException.class,
                () -> IdxReader.read(p, IdxReader.UBYTE, new int[] {10, 4, 4}, null, "fetch-it"));
        String m = e.getMessage();
        assertTrue(m.contains("truncated") && m.contains(String.valueOf(file.length))
                && m.contains(String.valueOf(file.length - 7)) && m.contains("fetch-it"), m);
    }

    @Test
    void truncatedGzipIsReportedAsSuch() throws Exception {
        byte[] gz = gzip(ubyteIdx(50, 28, 28));
        Path p = write("short.gz", Arrays.copyOf(gz, gz.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        // gzip whose stream ends exactly inside the header
        Path q = write("tiny.gz", gzip(new byte[] {0, 0, 8, 3, 0, 0}));
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.read(q)).getMessage().contains("truncated"));
    }

    @Test
    void wrongMagicNumberIsNotAnIdxFile() throws Exception {
        byte[] file = ubyteIdx(2, 2);
        file[1] = 0x08;
        Path p = write("magic", file);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("not an IDX file") && e.getMessage().contains("00 08 08 02"), e.getMessage());
        byte[] badType = ubyteIdx(2, 2);
        badType[2] = 0x07;
        Path q = write("type", badType);
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.read(q)).getMessage().contains("not an IDX"));
    }

    @Test
    void wrongTypeDimensionsExtraBytesAndDigestAreReported() throws Exception {
        byte[] file = ubyteIdx(5, 2);
        Path p = write("dims", file);
        String dims = assertThrows(DatasetException.class,
                () -> IdxReader.read(p, IdxReader.UBYTE, new int[] {6, 2}, null, null)).getMessage();
        assertTrue(dims.contains("[5, 2]") && dims.contains("[6, 2]"), dims);
        String type = assertThrows(DatasetException.class,
                () -> IdxReader.read(p, IdxReader.INT, null, null, null)).getMessage();
        assertTrue(type.contains("0x08") && type.contains("0x0c"), type);
        byte[] longer = Arrays.copyOf(file, file.length + 3);
        Path q = write("long", longer);
        String extra = assertThrows(DatasetException.class, () -> IdxReader.read(q)).getMessage();
        assertTrue(extra.contains("too long"), extra);
        Path g = write("long.gz", gzip(longer));
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.read(g)).getMessage().contains("too long"));
        byte[] flipped = file.clone();
        flipped[flipped.length - 1] ^= 1;
        Path f = write("flipped", flipped);
        String digest = assertThrows(DatasetException.class,
                () -> IdxReader.read(f, IdxReader.UBYTE, new int[] {5, 2}, sha256(file), "refetch")).getMessage();
        assertTrue(digest.contains("SHA-256") && digest.contains(sha256(file)) && digest.contains("refetch"), digest);
    }

    @Test
    void missingFileGivesTheFetchCommand() {
        Path p = dir.resolve("absent");
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> IdxReader.read(p, -1, null, null, "bash scripts/fetch-x.sh"));
        assertEquals("bash scripts/fetch-x.sh", e.fetchCommand());
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().endsWith("bash scripts/fetch-x.sh"));
        assertThrows(DatasetException.class, () -> IdxReader.read(p));
    }
}
