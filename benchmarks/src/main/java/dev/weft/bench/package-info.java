/** JMH benchmarks: each class measures Weft against the JDK baseline a user would otherwise pick. */
package dev.weft.bench;
