package dev.weft.jobs;

/**
 * Writes typed jobs' payloads and results as text for a durable store, and reads them back. A store supplies its
 * own (JSON on PostgreSQL) and may take another.
 *
 * <p>Implementations must be thread-safe.
 */
public interface JobCodec {

    /**
     * The text form of {@code value} (which may be null).
     *
     * @throws IllegalArgumentException if the value cannot be written; the message says why
     */
    String encode(Object value);

    /**
     * The value of type {@code type} that {@code text} (which may be null) stands for.
     *
     * @throws IllegalArgumentException if the text does not hold a {@code type}; the message says why
     */
    <T> T decode(String text, Class<T> type);
}
