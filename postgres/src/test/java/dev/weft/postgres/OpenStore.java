package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database for a test class ({@link PostgresFixture}) and an open store on it for each test, closed after
 * it. Register as {@code @RegisterExtension static final OpenStore db = new OpenStore();}.
 */
final class OpenStore implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private HikariDataSource dataSource;
    private PostgresJobStore store;

    /** The test class's database. */
    HikariDataSource dataSource() {
        return dataSource;
    }

    /** The current test's store, opened before it. */
    PostgresJobStore store() {
        return store;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        dataSource = PostgresFixture.newDatabase();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        store = Stores.open(dataSource);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        store.close();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        dataSource.close();
    }
}
