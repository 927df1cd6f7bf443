package dev.weft.jobs.spi;

import java.time.Duration;

/**
 * A job to insert, QUEUED.
 *
 * @param id               its id (UUID version 7)
 * @param type             its job type's name
 * @param name             its display name
 * @param key              its de-duplication key, or null
 * @param group            its group, or null
 * @param priority         higher runs first
 * @param payload          the encoded payload
 * @param maxAttempts      how many attempts its retry policy allows
 * @param timeout          its timeout over all attempts, or null
 * @param expectedDuration after how long it counts as stuck, or null
 */
public record NewJob(String id, String type, String name, String key, String group, int priority, String payload,
                     int maxAttempts, Duration timeout, Duration expectedDuration) {
}
