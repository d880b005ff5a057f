/** The {@code globallock} command. The engines it runs on are found as services. */
module dev.globallock.cli {
    requires dev.globallock.api;
    requires info.picocli;
    requires java.logging;

    opens dev.globallock.cli to
            info.picocli;
}
