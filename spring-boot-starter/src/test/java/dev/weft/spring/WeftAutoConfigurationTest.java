package dev.weft.spring;

import dev.weft.http.JobApi;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobType;
import dev.weft.jobs.spi.JobStore;
import dev.weft.micrometer.WeftJobMetrics;
import dev.weft.postgres.PostgresJobStore;
import dev.weft.servlet.WeftServlet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.security.web.SecurityFilterChain;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/** Which beans the auto-configuration makes, without a server. */
class WeftAutoConfigurationTest {

    record Ping(String from) {
    }

    private static final JobType<Ping, String> PING = JobType.of("ping", Ping.class, String.class, (ctx, p) -> "pong");

    private final ApplicationContextRunner plain = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WeftAutoConfiguration.class));

    /** A DataSource that is never asked for a connection in these tests. */
    private static DataSource unusedDataSource() {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException("not connected in this test: " + method.getName());
                });
    }

    @Test
    void theRuntimeRunsJobTypeBeansInMemoryByDefault() {
        plain.withBean("ping", JobType.class, () -> PING).withPropertyValues("weft.max-running=3").run(ctx -> {
            assertThat(ctx).hasSingleBean(JobRuntime.class).doesNotHaveBean(JobStore.class)
                    .hasSingleBean(WeftJobMetrics.class);
            JobRuntime runtime = ctx.getBean(JobRuntime.class);
            assertThat(runtime.submit(PING, new Ping("test")).await()).isEqualTo("pong");
        });
    }

    @Test
    void aDataSourceWithWeftPostgresPresentMakesThePostgresStore() {
        plain.withBean(DataSource.class, WeftAutoConfigurationTest::unusedDataSource)
                .withBean(JobRuntime.class, () -> JobRuntime.builder().build()) // ours would open the store
                .withPropertyValues("weft.table-prefix=orders_")
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(JobStore.class);
                    assertThat(ctx.getBean(JobStore.class)).isInstanceOf(PostgresJobStore.class);
                    assertThat(((PostgresJobStore) ctx.getBean(JobStore.class)).tablePrefix()).isEqualTo("orders_");
                });
    }

    @Test
    void weftStoreMemoryKeepsTheRuntimeInMemoryBesideADataSource() {
        plain.withBean(DataSource.class, WeftAutoConfigurationTest::unusedDataSource)
                .withPropertyValues("weft.store=memory")
                .run(ctx -> assertThat(ctx).hasSingleBean(JobRuntime.class).doesNotHaveBean(JobStore.class));
    }

    @Test
    void weftStorePostgresWithoutADataSourceFailsNamingWhatIsMissing() {
        plain.withPropertyValues("weft.store=postgres").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("weft.store=postgres needs")
                .hasMessageContaining("no DataSource"));
    }

    @Test
    void withoutSpringSecurityTheApiIsServedToLoopbackClientsOnly() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WeftAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(SecurityFilterChain.class))
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(JobApi.class);
                    WeftServlet servlet = (WeftServlet) ctx.getBean(ServletRegistrationBean.class).getServlet();
                    assertThat(servlet.access()).isEqualTo(WeftServlet.Access.LOOPBACK_UNLESS_TOKEN);
                    assertThat(ctx.getBean(ServletRegistrationBean.class).getUrlMappings()).containsExactly("/weft/*");
                });
    }

    @Test
    void aBadPathIsRefusedNamingTheProperty() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WeftAutoConfiguration.class))
                .withPropertyValues("weft.http.path=weft")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("weft.http.path must start with '/'"));
    }
}
