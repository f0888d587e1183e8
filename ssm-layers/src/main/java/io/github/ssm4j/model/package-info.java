/**
 * Score functions: "give me s(x) as an SDVariable", from a score network (output shaped like x) or from an
 * energy model (one scalar per example, s = −∇ₓE), optionally conditioned on a noise level σ.
 */
package io.github.ssm4j.model;
