package dev.weft.postgres;

import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalPostgresTest {
    // its own server: this test stops and restarts it

    @Test
    void startsAnswersRestartsAndCleansUp() throws Exception {
        LocalPostgres pg = LocalPostgres.start(false);
        try {
            assertThat(select1(pg)).isEqualTo(1);
            pg.restart();
            assertThat(select1(pg)).isEqualTo(1);
            pg.stop();
            assertThatThrownBy(() -> select1(pg)).isInstanceOf(SQLException.class);
            pg.startAgain();
            assertThat(select1(pg)).isEqualTo(1);
        } finally {
            pg.close();
        }
        assertThatThrownBy(() -> select1(pg)).isInstanceOf(SQLException.class);
    }

    private static int select1(LocalPostgres pg) throws SQLException {
        try (var c = DriverManager.getConnection(pg.jdbcUrl()); var rs = c.createStatement().executeQuery("select 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
