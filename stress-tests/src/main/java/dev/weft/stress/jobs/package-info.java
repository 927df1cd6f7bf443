/**
 * jcstress tests of {@code dev.weft.jobs}: each class proves one property of the job runtime and is named after
 * it. Run them with {@code ./weft stress -m quick -t dev.weft.stress.jobs}.
 */
package dev.weft.stress.jobs;
