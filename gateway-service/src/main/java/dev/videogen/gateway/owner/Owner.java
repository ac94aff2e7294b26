package dev.videogen.gateway.owner;

import org.springframework.web.server.ServerWebExchange;

/** The owner of the current request, as resolved by the owner filter. */
public final class Owner {

    static final String ATTRIBUTE = Owner.class.getName();

    /** Header that carries the owner to internal services; a caller's own value is always replaced. */
    public static final String HEADER = "X-Videogen-Owner";

    private Owner() {
    }

    public static String of(ServerWebExchange exchange) {
        String owner = exchange.getAttribute(ATTRIBUTE);
        if (owner == null) {
            throw new IllegalStateException("owner filter did not run");
        }
        return owner;
    }
}
