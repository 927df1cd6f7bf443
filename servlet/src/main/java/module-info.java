/**
 * Weft on any Jakarta Servlet 6 container ({@code dev.weft.servlet}): {@link dev.weft.servlet.WeftServlet} mounts
 * the jobs API, its event streams and the dashboard under a path of the application's choosing.
 */
module dev.weft.servlet {
    requires transitive dev.weft.http;
    requires transitive jakarta.servlet;
    requires org.slf4j;

    exports dev.weft.servlet;
}
