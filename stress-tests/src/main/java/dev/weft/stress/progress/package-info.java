/**
 * jcstress tests of {@code dev.weft.progress}: each class proves one property of {@code Progress} and is named
 * after it. Run them with {@code ./weft stress -m quick -t dev.weft.stress.progress}.
 */
package dev.weft.stress.progress;
