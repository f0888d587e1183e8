/** Internals of the DL4J integration; not public API. */
package io.github.ssm4j.dl4j.internal;
