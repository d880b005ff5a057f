package dev.globallock.examples.spring;

/** What {@link Billing} settles. */
public final class Invoice {
    private final long id;

    public Invoice(long id) {
        this.id = id;
    }

    public long getId() {
        return id;
    }
}
