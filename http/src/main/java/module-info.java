/**
 * Weft over HTTP: the job API, server-sent events and the dashboard's server ({@code dev.weft.http}).
 *
 * <p>{@code dev.weft.http} is the only package; its public types are the API ({@link dev.weft.http.JobApi},
 * {@link dev.weft.http.WeftHttpServer}, {@link dev.weft.http.HttpConfig} and the request, response and stream
 * types an adapter for another server uses), everything else in it is package-private.
 */
module dev.weft.http {
    requires transitive dev.weft.core;
    requires transitive jdk.httpserver;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.fasterxml.jackson.datatype.jdk8;
    requires org.slf4j;
    requires static ch.qos.logback.classic;
    requires static ch.qos.logback.core;

    exports dev.weft.http;
    exports dev.weft.http.logback;
}
