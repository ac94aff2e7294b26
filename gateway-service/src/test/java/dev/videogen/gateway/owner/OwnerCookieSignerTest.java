package dev.videogen.gateway.owner;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class OwnerCookieSignerTest {

    private final OwnerCookieSigner signer = new OwnerCookieSigner(new OwnerProperties("test-key", Duration.ofDays(1), false, null));

    @Test
    void aSignedOwnerVerifies() {
        String owner = signer.newOwnerId();
        assertThat(signer.verify(signer.sign(owner))).hasValue(owner);
    }

    @Test
    void aForgedOrTamperedCookieIsRefused() {
        String cookie = signer.sign("alice");
        assertThat(signer.verify(cookie.replace("alice", "bob"))).isEmpty();
        assertThat(signer.verify("bob")).isEmpty();
        assertThat(signer.verify("bob.!!notbase64!!")).isEmpty();
        assertThat(signer.verify(new OwnerCookieSigner(new OwnerProperties("other-key", null, false, null)).sign("alice"))).isEmpty();
    }
}
