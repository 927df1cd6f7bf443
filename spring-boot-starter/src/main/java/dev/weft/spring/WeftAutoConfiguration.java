package dev.weft.spring;

import dev.weft.http.HttpConfig;
import dev.weft.http.JobApi;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobType;
import dev.weft.jobs.spi.JobStore;
import dev.weft.micrometer.WeftJobMetrics;
import dev.weft.postgres.PostgresJobStore;
import dev.weft.servlet.WeftServlet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;
import java.util.List;

/**
 * Weft for a Spring Boot application: a {@link JobRuntime} from the {@code weft.*} properties
 * ({@link WeftProperties}) running every {@link JobType} bean, on PostgreSQL when {@code weft-postgres} and a
 * {@link DataSource} are present (in memory otherwise); the jobs API and dashboard at {@code /weft} on the
 * application's own server; Actuator health ({@code weft}) and Micrometer metrics; and a shutdown that drains
 * the jobs before the web server stops.
 *
 * <p>Every bean backs off when the application defines its own ({@code JobRuntime}, {@code JobStore},
 * {@code JobApi}).
 */
@AutoConfiguration(afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@EnableConfigurationProperties(WeftProperties.class)
public class WeftAutoConfiguration {

    /** The runtime, with every JobType bean registered; closed by {@link WeftLifecycle} (and again, idempotently, at destroy). */
    @Bean
    @ConditionalOnMissingBean
    public JobRuntime weftJobRuntime(WeftProperties props, ObjectProvider<JobType<?, ?>> types,
                                     ObjectProvider<JobStore> store) {
        JobRuntime.Builder b = JobRuntime.builder();
        if (props.name() != null) {
            b.name(props.name());
        }
        if (props.maxRunning() != null) {
            b.maxRunning(props.maxRunning());
        }
        if (props.maxQueued() != null) {
            b.maxQueued(props.maxQueued());
        }
        if (props.maxRunningPerGroup() != null) {
            b.maxRunningPerGroup(props.maxRunningPerGroup());
        }
        if (props.shutdownGrace() != null) {
            b.shutdownGrace(props.shutdownGrace());
        }
        b.register(types.orderedStream().toArray(JobType<?, ?>[]::new));
        JobStore s = store.getIfAvailable();
        if (s == null && props.store() == WeftProperties.Store.POSTGRES) {
            throw new IllegalStateException("weft.store=postgres needs dev.weft:weft-postgres on the class path and"
                    + " a DataSource bean; found " + (ClassUtils.isPresent("dev.weft.postgres.PostgresJobStore",
                    WeftAutoConfiguration.class.getClassLoader()) ? "weft-postgres but no DataSource"
                    : "no weft-postgres"));
        }
        if (s != null) {
            b.store(s);
            if (props.nodeName() != null) {
                b.nodeName(props.nodeName());
            }
        }
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    WeftLifecycle weftLifecycle(JobRuntime runtime, ObjectProvider<JobApi> api) {
        return new WeftLifecycle(runtime, api.getIfAvailable());
    }

    /** The PostgreSQL store when weft-postgres and a DataSource are present, unless weft.store=memory. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(PostgresJobStore.class)
    @ConditionalOnBean(DataSource.class)
    @Conditional(StoreIsNotMemory.class)
    static class PostgresStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JobStore weftJobStore(DataSource dataSource, WeftProperties props) {
            PostgresJobStore.Builder b = PostgresJobStore.builder(dataSource);
            if (props.tablePrefix() != null) {
                b.tablePrefix(props.tablePrefix());
            }
            return b.build();
        }
    }

    /** Matches unless {@code weft.store=memory}. */
    static final class StoreIsNotMemory implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !"memory".equalsIgnoreCase(context.getEnvironment().getProperty("weft.store", "auto").trim());
        }
    }

    /** Micrometer meters of the runtime, bound by Boot to its registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        WeftJobMetrics weftJobMetrics(JobRuntime runtime) {
            return new WeftJobMetrics(runtime);
        }
    }

    /** Actuator health: {@code /actuator/health/weft}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "weftHealthIndicator")
        WeftHealthIndicator weftHealthIndicator(JobRuntime runtime, ObjectProvider<JobStore> store) {
            JobStore s = store.getIfAvailable();
            return new WeftHealthIndicator(runtime, s == null ? "memory" : s.getClass().getSimpleName());
        }
    }

    /** The API and dashboard under weft.http.path on the application's servlet server. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({ServletRegistrationBean.class, WeftServlet.class})
    @ConditionalOnProperty(name = "weft.http.enabled", havingValue = "true", matchIfMissing = true)
    static class WebConfiguration {

        static final String SECURITY_CHAIN = "org.springframework.security.web.SecurityFilterChain";

        /** Closed by {@link WeftLifecycle} after the runtime, so clients receive its last events. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        JobApi weftJobApi(JobRuntime runtime, WeftProperties props, ObjectProvider<JobType<?, ?>> types,
                          ObjectProvider<WeftApiCustomizer> customizers, ApplicationContext context) {
            WeftProperties.Http http = props.http();
            HttpConfig.Builder config = HttpConfig.builder().exposeStackTraces(http.exposeStackTraces());
            if (http.token() != null && !http.token().isBlank()) {
                config.bearerToken(http.token());
            }
            List<String> hosts = http.allowedHosts();
            if (hosts != null && !hosts.isEmpty()) {
                config.allowedHosts(hosts.toArray(String[]::new));
            } else if (applicationAuthorizes(context)) {
                config.allowedHosts("*"); // the application's own names; Spring Security decides who
            }
            if (http.allowedOrigins() != null && !http.allowedOrigins().isEmpty()) {
                config.allowedOrigins(http.allowedOrigins().toArray(String[]::new));
            }
            if (http.heartbeat() != null) {
                config.heartbeat(http.heartbeat());
            }
            JobApi.Builder api = JobApi.builder(runtime).config(config.build());
            if (http.staticResources() != null && !http.staticResources().isBlank()) {
                api.staticResources(http.staticResources());
            }
            if (http.submittable()) {
                api.submittable(types.orderedStream().toList());
            }
            customizers.orderedStream().forEach(c -> c.customize(api));
            return api.build();
        }

        @Bean
        @ConditionalOnMissingBean(name = "weftServlet")
        ServletRegistrationBean<WeftServlet> weftServlet(JobApi api, WeftProperties props,
                                                         ApplicationContext context) {
            String path = normalize(props.http().path());
            var access = applicationAuthorizes(context) ? WeftServlet.Access.APPLICATION_AUTHORIZES
                    : WeftServlet.Access.LOOPBACK_UNLESS_TOKEN;
            var reg = new ServletRegistrationBean<>(new WeftServlet(api, access), path + "/*");
            reg.setName("weftServlet");
            reg.setAsyncSupported(true);
            reg.setLoadOnStartup(1);
            return reg;
        }

        /** Whether Spring Security filters requests (a SecurityFilterChain bean exists). */
        static boolean applicationAuthorizes(ApplicationContext context) {
            ClassLoader cl = WeftAutoConfiguration.class.getClassLoader();
            if (!ClassUtils.isPresent(SECURITY_CHAIN, cl)) {
                return false;
            }
            try {
                return context.getBeanNamesForType(ClassUtils.forName(SECURITY_CHAIN, cl), true, false).length > 0;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        static String normalize(String path) {
            if (path == null || path.isBlank() || !path.startsWith("/") || path.contains("*")) {
                throw new IllegalArgumentException("weft.http.path must start with '/' and have no '*', such as"
                        + " /weft; was '" + path + "'");
            }
            return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        }
    }
}
