package dev.weft.http;

/** Thrown inside request handling to answer 400 with this message. */
final class BadRequest extends RuntimeException {

    BadRequest(String message) {
        super(message, null, false, false);
    }
}
