/**
 * globallock's API: {@code dev.globallock} for applications, {@code dev.globallock.spi} for
 * engine authors and {@code dev.globallock.spi.support} for what engines share. The in-JVM {@code
 * memory} engine is provided, not exported. Engines are found with {@link java.util.ServiceLoader}:
 * on the module path through their {@code provides} clauses, on the class path through {@code
 * META-INF/services}.
 */
module dev.globallock.api {
    requires org.yaml.snakeyaml;

    exports dev.globallock;
    exports dev.globallock.spi;
    exports dev.globallock.spi.support;

    uses dev.globallock.spi.LockEngineProvider;

    provides dev.globallock.spi.LockEngineProvider with
            dev.globallock.memory.MemoryLockEngineProvider;
}
