package dev.weft.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.weft.jobs.JobError;
import dev.weft.jobs.JobEvent;

/** The API's JSON: core's records as they are, ISO-8601 instants and durations, stack traces only if allowed. */
final class Json {

    /** Hides {@link JobError#stackTrace()} from clients unless the config exposes it. */
    @JsonIgnoreProperties("stackTrace")
    private abstract static class NoStackTrace {
    }

    /** A job record's cancellation reason is its kind and detail; its cause is always null there. */
    @JsonIgnoreProperties("cause")
    private abstract static class ReasonMixin {
    }

    /** Without stack traces, a stuck job's threads are left out too. */
    @JsonIgnoreProperties("stuckThreads")
    private abstract static class NoStuckThreads {
    }

    /** {@link JobEvent#isTerminal()} is derived from the type; keep events to their components. */
    @JsonIgnoreProperties("terminal")
    private abstract static class EventMixin {
    }

    private Json() {
    }

    static ObjectMapper mapper(boolean exposeStackTraces) {
        JsonMapper.Builder b = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .serializationInclusion(JsonInclude.Include.ALWAYS)
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .addMixIn(JobEvent.class, EventMixin.class)
                .addMixIn(dev.weft.scope.CancellationReason.class, ReasonMixin.class);
        if (!exposeStackTraces) {
            b.addMixIn(JobError.class, NoStackTrace.class);
            b.addMixIn(dev.weft.jobs.JobRecord.class, NoStuckThreads.class);
        }
        return b.build();
    }

    static byte[] bytes(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }

    static String text(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getName(), e);
        }
    }
}
