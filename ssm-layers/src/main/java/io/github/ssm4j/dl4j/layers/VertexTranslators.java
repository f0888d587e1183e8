package io.github.ssm4j.dl4j.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * ComputationGraph vertices other than layers: {@code MergeVertex} (concatenation along DL4J's merge axis:
 * 1, or 3 for NHWC images), {@code ElementWiseVertex} (add, subtract, product, average, max — in DL4J's
 * order of operations, with broadcasting), {@code ScaleVertex}, {@code ShiftVertex}, {@code SubsetVertex}
 * (a range of features or channels, both ends included) and {@code PreprocessorVertex}.
 *
 * <p>Max is pairwise {@code maximum}, whose derivative rule splits ties evenly (docs/AUTODIFF.md).
 */
public final class VertexTranslators {
    private VertexTranslators() {
    }

    static void register(TranslatorTable t) {
        t.vertex(MergeVertex.class, c -> c.inputs().size() == 1 ? c.inputs().get(0)
                        : c.sd().concat(c.vertex().getMergeAxis(), c.inputs().toArray(new SDVariable[0])))
         .vertex(ElementWiseVertex.class, VertexTranslators::elementWise)
         .vertex(ScaleVertex.class, c -> single(c).mul(c.vertex().getScaleFactor()))
         .vertex(ShiftVertex.class, c -> single(c).add(c.vertex().getShiftFactor()))
         .vertex(SubsetVertex.class, VertexTranslators::subset)
         .vertex(PreprocessorVertex.class, VertexTranslators::preprocessor);
    }

    private static SDVariable elementWise(VertexContext<ElementWiseVertex> c) {
        List<SDVariable> in = c.inputs();
        SameDiff sd = c.sd();
        ElementWiseVertex.Op op = c.vertex().getOp();
        if (in.size() == 1) {
            return in.get(0);
        }
        if (op == ElementWiseVertex.Op.Subtract) {
            if (in.size() != 2) {
                throw c.unsupported("Subtract of " + in.size() + " inputs (DL4J subtracts exactly two)");
            }
            return in.get(0).sub(in.get(1));
        }
        SDVariable r = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            r = switch (op) {
                case Add, Average -> r.add(in.get(i));
                case Product -> r.mul(in.get(i));
                case Max -> sd.math.max(r, in.get(i));
                default -> throw c.unsupported("element-wise op " + op);
            };
        }
        return op == ElementWiseVertex.Op.Average ? r.div((double) in.size()) : r;
    }

    private static SDVariable subset(VertexContext<SubsetVertex> c) {
        long[] in = c.inputShape(0);
        int[] begin = new int[in.length];
        int[] size = Cnn.ints(in);
        size[0] = -1;
        begin[1] = c.vertex().getFrom();
        size[1] = c.vertex().getTo() - c.vertex().getFrom() + 1;
        return c.sd().slice(single(c), begin, size);
    }

    /** Runs the wrapped preprocessor through the preprocessor table. */
    private static SDVariable preprocessor(VertexContext<PreprocessorVertex> c) {
        return c.preprocess(c.vertex().getPreProcessor(), single(c), c.inputTypes().get(0));
    }

    private static SDVariable single(VertexContext<?> c) {
        if (c.inputs().size() != 1) {
            throw c.unsupported(c.inputs().size() + " inputs; this vertex takes one");
        }
        return c.inputs().get(0);
    }
}
