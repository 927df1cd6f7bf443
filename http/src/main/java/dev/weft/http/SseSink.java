package dev.weft.http;

import java.io.IOException;

/**
 * Where an {@link SseStream} pushes its frames: a server adapter's view of one client's open response. Any server
 * can implement it: a socket, a servlet's async response, a reactive body.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #send} is called by one thread at a time (the one in {@link SseStream#pushTo}), with one complete
 *       SSE frame; it writes and flushes it. It may block while the client is slow: that is the backpressure, and
 *       events wait meanwhile in the stream's bounded queue. It throws {@link IOException} when the client is
 *       gone, which ends the stream.</li>
 *   <li>{@link #disconnect} is called from any thread (the one that delivered an event the client had no room
 *       for, or one closing the server) when the stream must end now. It must not block, and must make a
 *       {@code send} blocked on this sink return or throw soon (close the connection, abort the response). After
 *       it the adapter must not end the response as a normal end of stream. It may come late, after
 *       {@code pushTo} returned (a race with the stream's own end): then it must do nothing harmful.</li>
 * </ul>
 */
public interface SseSink {

    /** Writes and flushes one frame; may block; throws when the client is gone. */
    void send(String frame) throws IOException;

    /** Ends the client's connection now, waking a blocked {@link #send}; never blocks; any thread. */
    void disconnect();
}
