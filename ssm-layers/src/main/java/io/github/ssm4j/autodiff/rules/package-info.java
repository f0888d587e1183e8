/**
 * Built-in derivative rules, one table per op family, each rule a line or two; longer math sits in a
 * named helper just above where it is used. {@link io.github.ssm4j.autodiff.rules.RuleTable} supplies the
 * registration verbs ({@code elementwise}, {@code linear}, {@code zeroDerivative}, {@code rule}).
 */
package io.github.ssm4j.autodiff.rules;
