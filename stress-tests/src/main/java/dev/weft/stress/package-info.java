/** jcstress tests: each class proves one concurrency property of Weft and is named after it. */
package dev.weft.stress;
