/**
 * Translators from DL4J configuration classes to SameDiff ops, one file per family, registered in
 * {@link io.github.ssm4j.dl4j.layers.TranslatorTable}, which is also where users add their own
 * ({@code TranslatorTable.global().layer(MyLayer.class, c -> ...)}). A translator sees a
 * {@link io.github.ssm4j.dl4j.layers.LayerContext} (or vertex, preprocessor context): its input, its
 * types and shapes, and its parameters as SameDiff variables; it emits only ops with derivative rules, so
 * translated networks can be differentiated by {@code io.github.ssm4j.autodiff}.
 */
package io.github.ssm4j.dl4j.layers;
