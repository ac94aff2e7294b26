package dev.videogen.gateway.owner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/** Signs and verifies owner ids ({@code ownerId.signature}, HMAC-SHA256), so a cookie cannot be forged to read another's jobs. */
@Component
class OwnerCookieSigner {

    private static final Logger log = LoggerFactory.getLogger(OwnerCookieSigner.class);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;

    OwnerCookieSigner(OwnerProperties properties) {
        byte[] secret;
        if (properties.signingKey() == null || properties.signingKey().isBlank()) {
            log.warn("VIDEOGEN_OWNER_KEY is not set: using a random key, owner cookies will not survive a restart");
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        } else {
            secret = properties.signingKey().getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    String newOwnerId() {
        return UUID.randomUUID().toString();
    }

    String sign(String ownerId) {
        return ownerId + "." + B64.encodeToString(mac(ownerId));
    }

    Optional<String> verify(String cookieValue) {
        int dot = cookieValue.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String ownerId = cookieValue.substring(0, dot);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(cookieValue.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(given, mac(ownerId)) ? Optional.of(ownerId) : Optional.empty();
    }

    private byte[] mac(String ownerId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(ownerId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
