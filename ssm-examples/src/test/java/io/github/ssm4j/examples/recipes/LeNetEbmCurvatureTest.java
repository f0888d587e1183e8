package io.github.ssm4j.examples.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.learning.config.Adam;

/**
 * SSM's curvature term is vᵀ∇ₓs v = −vᵀ∇²E v. With the zoo's ReLU the logits are piecewise linear in x, so
 * −logsumexp of them has ∇²E = −Jᵀ∇²LSE J ≤ 0 almost everywhere and the SSM loss can never fall below zero:
 * its minimum is the flat energy, which is what a 300-step MNIST run found (docs/RESULTS.md). The recipe must
 * therefore use a smooth activation wherever the zoo has ReLU.
 */
class LeNetEbmCurvatureTest {
    @Test
    void theRecipeReplacesThePiecewiseLinearReluBySoftplus() {
        MultiLayerNetwork net = (MultiLayerNetwork) new LeNetEbmRecipe().build(new long[] {784}, new Adam(1e-3), 7);
        int softplus = 0;
        for (NeuralNetConfiguration layer : net.getLayerWiseConfigurations().getConfs()) {
            if (layer.getLayer() instanceof BaseLayer b) {
                assertFalse(b.getActivationFn() instanceof ActivationReLU,
                        "ReLU left in " + layer.getLayer().getLayerName());
                softplus += b.getActivationFn() instanceof ActivationSoftPlus ? 1 : 0;
            }
        }
        assertEquals(3, softplus, "the zoo LeNet's ReLU layers (two convolutions, the dense layer) are now softplus");
    }
}
