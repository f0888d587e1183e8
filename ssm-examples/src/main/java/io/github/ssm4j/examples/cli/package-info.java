/** The {@code ssm} command line (picocli): one class per subcommand. */
package io.github.ssm4j.examples.cli;
