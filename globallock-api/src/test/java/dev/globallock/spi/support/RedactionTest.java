/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Credentials written into an endpoint are masked before the endpoint is shown anywhere. */
class RedactionTest {
    @Test
    void masksTheUserInfoOfAUrl() {
        assertThat(Redaction.userInfo("http://u:s3cret-pw@127.0.0.1:2411")).isEqualTo("http://******@127.0.0.1:2411");
        assertThat(Redaction.userInfo("https://s3cret-token@host:2379/")).isEqualTo("https://******@host:2379/");
    }

    @Test
    void masksAPasswordThatContainsAnAtSignOrASlashWhole() {
        assertThat(Redaction.userInfo("http://u:p@ss/w@rd@h:1")).isEqualTo("http://******@h:1");
        assertThat(Redaction.userInfo("http://u:s3cret pw@h:1")).isEqualTo("http://******@h:1");
    }

    @Test
    void masksTextWithoutAScheme() {
        assertThat(Redaction.userInfo("u:s3cret-pw@zk1:2181,zk2:2181/app")).isEqualTo("******@zk1:2181,zk2:2181/app");
    }

    @Test
    void leavesTextWithoutCredentialsAlone() {
        assertThat(Redaction.userInfo("http://127.0.0.1:2379")).isEqualTo("http://127.0.0.1:2379");
        assertThat(Redaction.userInfo(null)).isNull();
        assertThat(Redaction.hasUserInfo("zk1:2181")).isFalse();
        assertThat(Redaction.hasUserInfo("u:p@zk1:2181")).isTrue();
    }
}
