/** File output shared by the examples: every file is written completely before it appears. */
package io.github.ssm4j.examples.io;
