/** Micrometer meters for globallock: {@link dev.globallock.micrometer.GlobalLockMetrics}. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.globallock.micrometer {
    requires transitive dev.globallock.api;
    requires transitive micrometer.core;

    exports dev.globallock.micrometer;
}
