package dev.weft.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.weft.jobs.JobCodec;

import java.util.Objects;

/**
 * The default {@link JobCodec} of {@link PostgresJobStore}: payloads and results as JSON, written and read by
 * Jackson with the {@code java.time} and {@code Optional} modules. Records, beans, strings, numbers, lists, maps,
 * {@code Instant}, {@code Duration} and {@code Optional} work as they are; dates are written as ISO-8601 text.
 *
 * <p>Reading ignores properties the class does not have, so a payload class may lose a field between releases
 * while jobs written by the older release are still queued. When the payload's classes live in a named module,
 * that module must open their package to {@code com.fasterxml.jackson.databind}.
 *
 * <pre>{@code
 * record Resize(String image, int width) {}
 * JobCodec codec = new JacksonJobCodec();
 * String json = codec.encode(new Resize("a.png", 100));          // {"image":"a.png","width":100}
 * Resize r = codec.decode(json, Resize.class);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JacksonJobCodec implements JobCodec {

    /*
     * Implementation notes: one ObjectMapper, configured once in the constructor and never changed after, which
     * is what makes Jackson's mapper thread-safe. Null is encoded as SQL NULL (a null string), not as the JSON
     * text "null", and a null text decodes to null for every class.
     *
     * Buffers: Jackson's default pool of parser and generator buffers keeps one set per thread, in a
     * ThreadLocal. A durable job decodes its payload on its own, new virtual thread, where such a pool would
     * allocate fresh buffers (several KB) for every decode of a few bytes of JSON. So the mapper's factory uses
     * a bounded pool shared by all threads (RECYCLED_BUFFERS sets; a thread that finds none free allocates, and
     * a release into a full pool drops the buffers).
     *
     * Readers: decode uses one ObjectReader per class (cached in a ClassValue, made from the same mapper), which
     * holds the class's root deserializer instead of looking it up on every call.
     */

    /** How many sets of buffers the codec keeps for reuse: about the threads that read or write JSON at once. */
    static final int RECYCLED_BUFFERS = 64;

    private final ObjectMapper mapper;
    private final ClassValue<ObjectReader> readers = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return mapper.readerFor(type);
        }
    };

    /** A codec with Weft's default Jackson configuration. */
    public JacksonJobCodec() {
        this.mapper = new ObjectMapper(JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.newBoundedPool(RECYCLED_BUFFERS)).build())
                .registerModule(new JavaTimeModule())
                .registerModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * The JSON text of {@code value}, or null for null.
     *
     * @throws IllegalArgumentException if Jackson cannot write it; the message names its class and the reason
     */
    @Override
    public String encode(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("cannot encode a " + value.getClass().getName() + " as JSON: "
                    + reason(e), e);
        }
    }

    /**
     * The {@code type} that the JSON {@code text} holds, or null for null.
     *
     * @throws IllegalArgumentException if the text is not JSON for a {@code type}; the message names the class
     *                                  and the reason
     */
    @Override
    public <T> T decode(String text, Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (text == null) {
            return null;
        }
        try {
            return readers.get(type).readValue(text);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("cannot decode JSON as a " + type.getName() + ": " + reason(e), e);
        }
    }

    private static String reason(Exception e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
    }
}
