/**
 * Weft's job metrics for Micrometer: {@link dev.weft.micrometer.WeftJobMetrics} binds a job runtime's counts,
 * durations and queue to a {@code MeterRegistry}.
 */
module dev.weft.micrometer {
    requires transitive dev.weft.core;
    requires transitive micrometer.core;

    exports dev.weft.micrometer;
}
