package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.spi.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An unreachable database fails open() with where it was looked for, without the password. */
class OpenFailureTest {

    @Test
    void openAgainstAClosedPortFailsUnavailableWithTheUrlAndThePasswordMasked() throws IOException {
        int port = closedPort();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/jobs?user=weft&password=s3cret&connectTimeout=2";
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setConnectionTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource ds = new HikariDataSource(config);
             PostgresJobStore store = PostgresJobStore.builder(ds).build()) {

            assertThatThrownBy(() -> store.open(Stores.IGNORE)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + port + "/jobs?user=weft&password=****")
                    .hasMessageNotContaining("s3cret")
                    .hasCauseInstanceOf(java.sql.SQLException.class);
        }
    }

    @Test
    void passwordsAreMaskedInQueryAndUserInfoForms() {
        assertThat(StoreFailures.maskPassword("jdbc:postgresql://h/db?user=a&password=p%40ss&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=****&ssl=true");
        assertThat(StoreFailures.maskPassword("postgresql://alice:pa:ss@h:5432/db"))
                .isEqualTo("postgresql://alice:****@h:5432/db");
        assertThat(StoreFailures.maskPassword("jdbc:postgresql://h/db;PASSWORD=x;user=y"))
                .isEqualTo("jdbc:postgresql://h/db;PASSWORD=****;user=y");
    }

    private static int closedPort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
