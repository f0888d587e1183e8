/** Small utilities shared by the library: keeping SameDiff's stdout chatter away from users. */
package io.github.ssm4j.util;
