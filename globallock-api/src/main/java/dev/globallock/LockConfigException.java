/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

import java.util.List;

/**
 * The configuration is wrong. Every problem found is listed, one per line, each as {@code <key
 * path> was '<value>' but <reason>}; secrets are never shown.
 */
public class LockConfigException extends GlobalLockException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public LockConfigException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public LockConfigException(String problem, Throwable cause) {
        super("invalid globallock configuration: " + problem, cause);
        this.problems = List.of(problem);
    }

    /** Each problem found, in the order found. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.size() == 1) {
            return "invalid globallock configuration: " + problems.get(0);
        }
        StringBuilder text = new StringBuilder("invalid globallock configuration (")
                .append(problems.size())
                .append(" problems):");
        for (String problem : problems) {
            text.append("\n  - ").append(problem);
        }
        return text.toString();
    }
}
