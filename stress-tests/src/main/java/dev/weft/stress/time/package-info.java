/**
 * jcstress tests of {@code dev.weft.time}: each class proves one property of the time sources and is named after
 * it. Run them with {@code ./weft stress -m quick -t dev.weft.stress.time}.
 */
package dev.weft.stress.time;
