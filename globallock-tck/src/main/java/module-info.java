/**
 * The lock contract every engine passes, as JUnit 5 classes an engine's tests extend, and the
 * real-server fixtures. Its packages are open: JUnit runs the kit's tests reflectively from the
 * engine's module or class path.
 */
module dev.globallock.tck {
    requires transitive dev.globallock.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires java.logging;
    requires java.net.http;
    requires org.bouncycastle.provider; // TestCertificates
    requires org.bouncycastle.pkix;

    exports dev.globallock.tck;
    exports dev.globallock.tck.fixture;

    opens dev.globallock.tck;
    opens dev.globallock.tck.fixture;
}
