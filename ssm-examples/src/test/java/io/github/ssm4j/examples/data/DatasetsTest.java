package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The registry the command line's --dataset uses. */
class DatasetsTest {

    @Test
    void namesAreTheDocumentedOnes() {
        assertEquals(List.of("gaussian-mixture", "rings", "two-moons", "checkerboard", "digits", "breast-cancer",
                "mnist", "fashion-mnist"), Datasets.names());
        assertEquals(List.of("gaussian-mixture", "rings", "two-moons", "checkerboard"), Datasets.toyNames());
        for (String name : Datasets.names()) {
            Dataset d = Datasets.get(name);
            assertEquals(name, d.name());
            assertEquals(d.kind() == Dataset.Kind.TOY, d.toy().isPresent(), name);
            assertEquals(d.kind() == Dataset.Kind.FETCHED, d.fetchCommand().isPresent(), name);
            assertTrue(d.description().length() > 10, name);
        }
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.get("moons"));
        assertTrue(e.getMessage().contains("'moons'") && e.getMessage().contains("two-moons, checkerboard, digits"),
                e.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> Datasets.toy("digits"));
        assertTrue(t.getMessage().contains("gaussian-mixture, rings, two-moons, checkerboard"), t.getMessage());
    }

    @Test
    void toysLoadTheRequestedSampleWithASeparateTestStream() {
        LoadOptions o = LoadOptions.defaults().withToySamples(300).withSeed(5);
        LabeledData train = Datasets.load("rings", Split.TRAIN, o);
        LabeledData again = Datasets.load("rings", Split.ALL, o);
        LabeledData test = Datasets.load("rings", Split.TEST, o);
        assertArrayEquals(new long[] {300, 2}, train.features().shape());
        assertEquals(train.features(), again.features());
        assertNotEquals(train.features(), test.features());
        assertEquals(DataType.DOUBLE, Datasets.load("two-moons", Split.TRAIN, o.withDataType(DataType.DOUBLE))
                .features().dataType());
        assertEquals("two-moons", Datasets.toy("two-moons").name());
        assertEquals(3, Datasets.load("rings", Split.TRAIN, o).numClasses());
    }

    @Test
    void shippedSetsLoadThroughTheRegistry() {
        LabeledData digits = Datasets.load("digits", Split.TEST, LoadOptions.defaults().withRaw(true));
        assertEquals(359, digits.size());
        assertEquals(16, digits.features().maxNumber().doubleValue(), 0);
        LabeledData bc = Datasets.get("breast-cancer").load();
        assertEquals(456, bc.size());
        assertTrue(Datasets.get("digits").isAvailable());
    }

    @Test
    void fetchedSetsSayHowToFetchThem() {
        assertEquals(Mnist.isPresent(Mnist.defaultDirectory()), Datasets.get("mnist").isAvailable());
        assertEquals(Mnist.fetchCommand(Mnist.defaultDirectory()), Datasets.get("mnist").fetchCommand().orElseThrow());
        assertTrue(Datasets.get("mnist").fetchCommand().orElseThrow().startsWith("bash scripts/fetch-mnist.sh"));
        assertTrue(Datasets.get("fashion-mnist").fetchCommand().orElseThrow().contains("dataset-fashion-mnist"));
    }
}
