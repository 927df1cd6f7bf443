package dev.weft.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * The {@code weft.*} properties. Every runtime setting left unset keeps {@link dev.weft.jobs.JobRuntime}'s own
 * default.
 *
 * <pre>
 * weft.name=orders
 * weft.max-running=16
 * weft.max-queued=10000
 * weft.shutdown-grace=20s
 * weft.store=auto            # auto (PostgreSQL when weft-postgres and a DataSource are present), memory, postgres
 * weft.http.path=/weft
 * weft.security.write-role=WEFT_ADMIN
 * </pre>
 *
 * @param name               the runtime's name (in logs and thread names)
 * @param maxRunning         jobs running at once
 * @param maxQueued          jobs waiting at most
 * @param maxRunningPerGroup jobs of one group running at once
 * @param shutdownGrace      how long running jobs may finish at shutdown before they are cancelled
 * @param nodeName           this node's name in a cluster on a durable store
 * @param store              which job store: {@code auto}, {@code memory} or {@code postgres}
 * @param tablePrefix        the PostgreSQL store's table prefix
 * @param http               the API and dashboard on the application's server
 * @param security           who may read and write through it when Spring Security is present
 */
@ConfigurationProperties("weft")
public record WeftProperties(String name, Integer maxRunning, Integer maxQueued, Integer maxRunningPerGroup,
                             Duration shutdownGrace, String nodeName, @DefaultValue("auto") Store store,
                             String tablePrefix, @DefaultValue Http http, @DefaultValue Security security) {

    /** Which job store the runtime uses. */
    public enum Store {
        /** PostgreSQL when weft-postgres and a DataSource bean are present, else in memory. */
        AUTO,
        /** In memory, whatever is present. */
        MEMORY,
        /** PostgreSQL; startup fails without weft-postgres and a DataSource. */
        POSTGRES
    }

    /**
     * @param enabled           whether to serve the API and dashboard at all
     * @param path              where, on the application's own server
     * @param token             a bearer token the API requires (besides any Spring Security)
     * @param allowedHosts      Host names the API answers; empty: any name when Spring Security authorizes,
     *                          else localhost and loopback addresses only
     * @param allowedOrigins    other origins whose pages may change jobs
     * @param exposeStackTraces whether job failures show their stack traces to clients
     * @param heartbeat         how often an idle event stream sends a heartbeat
     * @param submittable       whether every JobType bean may be submitted with POST /api/jobs
     * @param staticResources   a resource root (such as {@code /com/example/web}) served under the path besides
     *                          the API: the application's own pages or a dashboard extension
     */
    public record Http(@DefaultValue("true") boolean enabled, @DefaultValue("/weft") String path, String token,
                       List<String> allowedHosts, List<String> allowedOrigins,
                       @DefaultValue("false") boolean exposeStackTraces, Duration heartbeat,
                       @DefaultValue("true") boolean submittable, String staticResources) {
    }

    /**
     * @param readRole  the role needed to read (GET); empty: any authenticated user
     * @param writeRole the role needed to submit and cancel; empty: any authenticated user
     */
    public record Security(String readRole, String writeRole) {
    }
}
