package dev.videogen.gateway.owner;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.Optional;

/**
 * Resolves the caller's owner id from the signed {@code videogen_owner} cookie; a caller without a valid one gets a
 * new identity and the cookie (HttpOnly, SameSite=Lax).
 */
@Component
@Order(0)
class OwnerWebFilter implements WebFilter {

    static final String COOKIE = "videogen_owner";

    private final OwnerCookieSigner signer;
    private final OwnerProperties properties;

    OwnerWebFilter(OwnerCookieSigner signer, OwnerProperties properties) {
        this.signer = signer;
        this.properties = properties;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpCookie cookie = exchange.getRequest().getCookies().getFirst(COOKIE);
        Optional<String> known = cookie == null ? Optional.empty() : signer.verify(cookie.getValue());
        String ownerId = known.orElseGet(signer::newOwnerId);
        if (known.isEmpty()) {
            exchange.getResponse().addCookie(ResponseCookie.from(COOKIE, signer.sign(ownerId))
                    .httpOnly(true).sameSite("Lax").path("/").secure(properties.secureCookie())
                    .maxAge(properties.cookieMaxAge()).build());
        }
        exchange.getAttributes().put(Owner.ATTRIBUTE, ownerId);
        return chain.filter(exchange);
    }
}
