/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every gRPC call of the engine's own client a deadline of one request timeout, except watch
 * streams (which live as long as a wait). A frozen or unreachable member then costs one timeout,
 * never a hang, and the call is cancelled on the server too.
 */
final class EtcdDeadlines implements ClientInterceptor {
    private static final String WATCH = "etcdserverpb.Watch/Watch";

    private final long timeoutNanos;

    EtcdDeadlines(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        if (options.getDeadline() == null && !WATCH.equals(method.getFullMethodName())) {
            return next.newCall(method, options.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS));
        }
        return next.newCall(method, options);
    }
}
