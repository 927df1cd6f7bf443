package dev.weft.postgres;

import dev.weft.jobs.spi.StoreUnavailableException;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.regex.Pattern;

/**
 * Turns the JDBC failures of {@link PostgresJobStore} into the SPI's exceptions: a lost or unreachable database
 * becomes {@link StoreUnavailableException} (the runtime retries), anything else an
 * {@link IllegalStateException} with the SQL state. Also says where the store is, without the password.
 */
final class StoreFailures {

    /*
     * Implementation notes: "unavailable" is decided by SQLState class 08 (connection exception), 57P01/57P02/
     * 57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many connections), the JDBC
     * connection-exception subclasses (a pool's timeout is SQLTransientConnectionException), or an IOException
     * anywhere in the cause chain (pgjdbc wraps socket errors). The URL is found reflectively (getJdbcUrl for
     * HikariCP, getUrl/getURL for pgjdbc's data sources), since javax.sql.DataSource has no such method, and its
     * password is masked in both the query-string form (password=...) and the userinfo form (user:pass@).
     */

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]*:)[^/@]*@");

    private StoreFailures() {
    }

    /** {@code e}, during {@code what}, as the exception the SPI promises. */
    static RuntimeException translate(String what, SQLException e) {
        if (isConnectionLoss(e)) {
            return new StoreUnavailableException("PostgreSQL unavailable while trying to " + what + ": "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
        }
        return new IllegalStateException("PostgreSQL refused to " + what + ": " + e.getMessage()
                + " (SQLState " + e.getSQLState() + ")", e);
    }

    /** Whether {@code e} means the database is unreachable or the connection was lost. */
    static boolean isConnectionLoss(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                        || state.equals("57P03") || state.equals("53300"))) {
                    return true;
                }
                if (s instanceof SQLTransientConnectionException || s instanceof SQLNonTransientConnectionException
                        || s instanceof SQLRecoverableException) {
                    return true;
                }
            }
            if (t instanceof IOException || t instanceof SocketException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The data source's JDBC URL with its password masked, or its class name if it has no URL to tell. */
    static String describe(DataSource ds) {
        for (String getter : new String[]{"getJdbcUrl", "getUrl", "getURL"}) {
            try {
                Object url = ds.getClass().getMethod(getter).invoke(ds);
                if (url instanceof String s && !s.isBlank()) {
                    return maskPassword(s);
                }
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // not this getter; try the next
            }
        }
        return "the data source " + ds.getClass().getName();
    }

    /** {@code url} with the value of {@code password=} and the password of {@code user:password@} masked. */
    static String maskPassword(String url) {
        String masked = PASSWORD_PARAM.matcher(url).replaceAll("$1****");
        return USER_INFO.matcher(masked).replaceAll("$1****@");
    }
}
