/** The model zoo: named recipes (network, energy head, default objective and dataset) the CLI trains. */
package io.github.ssm4j.examples.recipes;
