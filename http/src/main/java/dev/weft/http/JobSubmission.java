package dev.weft.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobRejectedException;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import dev.weft.jobs.JobType;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code POST /api/jobs}: submits a job of a type the application made submittable
 * ({@link JobApi.Builder#submittable}), with its payload read from JSON into the type's payload class.
 *
 * <p>Body: {@code {"type": "resize", "payload": {...}, "key": "...", "priority": 5, "group": "...",
 * "timeout": "PT5M"}}; only {@code type} and {@code payload} are required. Answers 201 with the job's record and
 * {@code Location} of its URL; 400 naming the field that is wrong and what is allowed; 409 when a job with the
 * key is already queued or running (naming it, in {@code existingJob}); 503 when the runtime refuses the job
 * (queue full, shutting down).
 */
final class JobSubmission {

    /*
     * Implementation notes: the payload is read with a reader that fails on unknown properties, on a missing
     * creator property (a record's component) and on null for a primitive, so a client's mistake names the
     * field instead of running a job with a default.
     *
     * Duplicate detection: JobRuntime.submit returns the active holder's handle when the key is taken, and says
     * nothing else. Before submitting we read the ids of the queued and running jobs with the key; if submit
     * returns one of them, the submission was a duplicate (409). A job with the key that another caller created
     * between the read and the submit is indistinguishable from our own and is answered 201: both requests were
     * concurrent, and the job they name was created during this one. HTTP submissions of one key are serialized
     * by a striped lock, so two concurrent HTTP requests with one key get exactly one 201.
     */

    static final Set<String> FIELDS = Set.of("type", "payload", "key", "priority", "group", "timeout");
    private static final String EXAMPLE = "{\"type\": \"...\", \"payload\": {...}, \"key\": \"...\", \"priority\": 0, "
            + "\"group\": \"...\", \"timeout\": \"PT5M\"}";
    private static final EnumSet<JobState> ACTIVE = EnumSet.of(JobState.QUEUED, JobState.RUNNING);
    private static final int STRIPES = 64;

    private final JobRuntime runtime;
    private final ObjectMapper mapper;
    private final ObjectReader payloads;
    private final Map<String, JobType<?, ?>> types;
    private final Object[] locks = new Object[STRIPES];

    JobSubmission(JobRuntime runtime, ObjectMapper mapper, Collection<JobType<?, ?>> types) {
        this.runtime = runtime;
        this.mapper = mapper;
        this.payloads = mapper.reader()
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        var byName = new LinkedHashMap<String, JobType<?, ?>>();
        for (JobType<?, ?> t : types) {
            JobType<?, ?> earlier = byName.putIfAbsent(t.name(), t);
            if (earlier != null && earlier != t) {
                throw new IllegalArgumentException("job type \"" + t.name() + "\" is made submittable twice, as "
                        + earlier + " and as " + t);
            }
        }
        this.types = Map.copyOf(byName);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /** The names of the submittable types, sorted. */
    List<String> typeNames() {
        return types.keySet().stream().sorted().toList();
    }

    ApiResponse submit(ApiRequest req, JobApi api) {
        JsonNode body = readObject(req);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new BadRequest("unknown field '" + JobApi.abbreviate(f, 60) + "'; allowed: "
                        + FIELDS.stream().sorted().toList() + ", as in " + EXAMPLE);
            }
        }
        String typeName = text(body, "type", true);
        JobType<?, ?> type = types.get(typeName);
        if (type == null) {
            throw new BadRequest("type '" + JobApi.abbreviate(typeName, 60) + "' cannot be submitted over HTTP; "
                    + (types.isEmpty() ? "none can (the application makes types submittable with "
                    + "JobApi.builder(runtime).submittable(type))" : "one of " + typeNames()));
        }
        if (!body.has("payload")) {
            throw new BadRequest("payload is missing: give the job's " + type.payloadType().getSimpleName()
                    + " as JSON (use null for none)");
        }
        Object payload = payload(type, body.get("payload"));
        String key = text(body, "key", false);
        String group = text(body, "group", false);
        Integer priority = null;
        if (body.hasNonNull("priority")) {
            JsonNode p = body.get("priority");
            if (!p.isIntegralNumber() || !p.canConvertToInt()) {
                throw new BadRequest("priority must be an integer from " + Integer.MIN_VALUE + " to "
                        + Integer.MAX_VALUE + ", was " + JobApi.abbreviate(p.toString(), 60));
            }
            priority = p.intValue();
        }
        Duration timeout = null;
        if (body.hasNonNull("timeout")) {
            String t = text(body, "timeout", true);
            try {
                timeout = Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new BadRequest("timeout must be an ISO-8601 duration such as \"PT30S\" or \"PT5M\", was '"
                        + JobApi.abbreviate(t, 60) + "'");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new BadRequest("timeout must be positive, was " + t);
            }
        }
        JobSpec<?> spec;
        try {
            JobSpec.Builder b = JobSpec.named(type.name());
            if (key != null) {
                b.key(key);
            }
            if (group != null) {
                b.group(group);
            }
            if (priority != null) {
                b.priority(priority);
            }
            if (timeout != null) {
                b.timeout(timeout);
            }
            spec = build(b, type, payload);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
        if (key == null) {
            try {
                return created(req, api, runtime.submit(spec));
            } catch (JobRejectedException e) {
                return refused(req, api, e);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(e.getMessage());
            }
        }
        synchronized (locks[Math.floorMod(key.hashCode(), STRIPES)]) {
            Set<String> holders = activeWithKey(key);
            JobHandle<?> handle;
            try {
                handle = runtime.submit(spec);
            } catch (JobRejectedException e) {
                return refused(req, api, e);
            } catch (IllegalArgumentException e) { // the key is held by a job of another result type
                if (!holders.isEmpty()) {
                    return duplicate(req, api, key, holders.iterator().next());
                }
                throw new BadRequest(e.getMessage());
            }
            if (holders.contains(handle.id())) {
                return duplicate(req, api, key, handle.id());
            }
            return created(req, api, handle);
        }
    }

    @SuppressWarnings("unchecked")
    private static <P, R> JobSpec<R> build(JobSpec.Builder b, JobType<P, R> type, Object payload) {
        return b.run(type, (P) payload);
    }

    private Set<String> activeWithKey(String key) {
        var ids = new HashSet<String>();
        for (JobRecord r : runtime.list(new JobQuery(ACTIVE, null, key, 0, 10)).jobs()) {
            ids.add(r.id());
        }
        return ids;
    }

    private static ApiResponse created(ApiRequest req, JobApi api, JobHandle<?> handle) {
        JobRecord rec = handle.record();
        return api.json(201, rec).withHeader("Location", req.mount() + "/api/jobs/" + handle.id());
    }

    private ApiResponse duplicate(ApiRequest req, JobApi api, String key, String existing) {
        var out = new LinkedHashMap<String, Object>();
        out.put("error", "a job with key '" + JobApi.abbreviate(key, 60) + "' is already queued or running: "
                + existing);
        out.put("status", 409);
        out.put("path", JobApi.abbreviate(req.path(), 120));
        out.put("existingJob", existing);
        out.put("job", runtime.find(existing).orElse(null));
        return api.json(409, out).withHeader("Location", req.mount() + "/api/jobs/" + existing);
    }

    private static ApiResponse refused(ApiRequest req, JobApi api, JobRejectedException e) {
        return api.error(503, e.getMessage(), req.path()).withHeader("Retry-After", "5");
    }

    private JsonNode readObject(ApiRequest req) {
        if (req.body().length == 0) {
            throw new BadRequest("body must be a JSON object like " + EXAMPLE);
        }
        JsonNode body;
        try {
            body = mapper.readTree(req.body());
        } catch (IOException e) {
            throw new BadRequest("body must be one JSON object like " + EXAMPLE + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (body == null || !body.isObject()) {
            throw new BadRequest("body must be a JSON object like " + EXAMPLE);
        }
        return body;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new BadRequest(field + " is missing; the body is " + EXAMPLE);
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new BadRequest(field + " must be a string, was " + JobApi.abbreviate(n.toString(), 60));
        }
        return n.asText();
    }

    private Object payload(JobType<?, ?> type, JsonNode node) {
        Class<?> cls = type.payloadType();
        if (node.isNull()) {
            return null;
        }
        rejectUnknownFields(cls, node);
        try {
            return payloads.forType(cls).readValue(node);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            throw new BadRequest(field(e) + " is not a field of " + cls.getSimpleName() + "; allowed: " + known);
        } catch (InvalidFormatException e) {
            throw new BadRequest(field(e) + " must be " + describe(e.getTargetType()) + ", was "
                    + JobApi.abbreviate(String.valueOf(e.getValue()), 60));
        } catch (MismatchedInputException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Missing creator property")) {
                String name = e.getPath().isEmpty() ? null : e.getPath().getLast().getFieldName();
                String missing = msg.replaceFirst("(?s)^Missing creator property '([^']*)'.*", "$1");
                return throwMissing(e, cls, name == null ? missing : name, missing);
            }
            throw new BadRequest(field(e) + " must be " + describe(e.getTargetType()) + " (" + cls.getSimpleName()
                    + "): " + JobApi.abbreviate(msg, 200));
        } catch (JsonMappingException e) {
            throw new BadRequest("payload does not fit " + cls.getSimpleName() + ": "
                    + JobApi.abbreviate(e.getOriginalMessage(), 200));
        } catch (IOException e) {
            throw new BadRequest("payload cannot be read: " + e.getMessage());
        }
    }

    /**
     * Names an unknown top-level field of an object payload before Jackson reads it (Jackson reports a missing
     * creator property first, which hides a misspelt name behind "x is missing").
     */
    private void rejectUnknownFields(Class<?> cls, JsonNode node) {
        if (!node.isObject() || Map.class.isAssignableFrom(cls) || JsonNode.class.isAssignableFrom(cls)
                || cls == Object.class) {
            return;
        }
        var config = mapper.getDeserializationConfig();
        List<String> known = config.introspect(mapper.constructType(cls)).findProperties().stream()
                .filter(p -> p.couldDeserialize()).map(p -> p.getName()).sorted().toList();
        if (known.isEmpty()) {
            return;
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new BadRequest("payload." + JobApi.abbreviate(f, 60) + " is not a field of " + cls.getSimpleName()
                        + "; allowed: " + known);
            }
        }
    }

    private static Object throwMissing(MismatchedInputException e, Class<?> cls, String name, String missing) {
        String parent = e.getPath().size() <= 1 ? "payload"
                : "payload." + e.getPath().subList(0, e.getPath().size() - 1).stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        throw new BadRequest(parent + "." + missing + " is missing; " + cls.getSimpleName()
                + " needs every one of its fields (null is allowed where the field is not a primitive)");
    }

    /** {@code payload.a.b[2]} for the path where reading failed. */
    private static String field(JsonMappingException e) {
        var parts = new ArrayList<String>();
        for (JsonMappingException.Reference r : e.getPath()) {
            parts.add(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return "payload" + String.join("", parts);
    }

    private static String describe(Class<?> c) {
        if (c == null) {
            return "another kind of value";
        }
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class
                || c == Short.class) {
            return "an integer";
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            return "a number";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "true or false";
        }
        if (c == String.class) {
            return "a string";
        }
        if (c.isEnum()) {
            return "one of " + List.of(c.getEnumConstants());
        }
        if (Collection.class.isAssignableFrom(c) || c.isArray()) {
            return "an array";
        }
        return "a " + c.getSimpleName() + " object";
    }
}
