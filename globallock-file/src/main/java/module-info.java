/** The host-local {@code file} engine: OS file locks on lock files in a directory. */
module dev.globallock.file {
    requires transitive dev.globallock.api;

    exports dev.globallock.file;

    provides dev.globallock.spi.LockEngineProvider with
            dev.globallock.file.FileLockEngineProvider;
}
