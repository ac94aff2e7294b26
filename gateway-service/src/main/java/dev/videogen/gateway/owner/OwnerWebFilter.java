package dev.videogen.gateway.owner;

import org.springframework.core.annotation.Order;
import dev.videogen.web.Problems;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
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

    /** Owners by the SHA-256 of their API key, so a look-up leaks nothing about the keys through timing. */
    private final Map<String, String> apiKeys = new HashMap<>();

    OwnerWebFilter(OwnerCookieSigner signer, OwnerProperties properties) {
        this.signer = signer;
        this.properties = properties;
        properties.apiKeyOwners().forEach((key, owner) -> apiKeys.put(digest(key), owner));
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String owner = apiKeys.get(digest(authorization.substring(7).strip()));
            if (owner == null) {
                return Mono.error(Problems.of(HttpStatus.UNAUTHORIZED, "invalid-api-key", "Invalid API key",
                        "The bearer API key is not known."));
            }
            exchange.getAttributes().put(Owner.ATTRIBUTE, owner);
            return chain.filter(exchange);
        }
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
