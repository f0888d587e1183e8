/** The ssm4j examples: the {@code ssm} command line and what it runs. */
package io.github.ssm4j.examples;
