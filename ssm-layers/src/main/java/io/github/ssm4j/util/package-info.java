/** Small utilities shared by the library: keeping SameDiff's stdout chatter away from users, freeing its off-heap garbage. */
package io.github.ssm4j.util;
