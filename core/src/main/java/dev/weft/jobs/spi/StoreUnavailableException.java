package dev.weft.jobs.spi;

/** The store could not be reached, or a write could not be committed; the runtime retries writes with backoff. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
