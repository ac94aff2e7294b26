package dev.videogen.e2e;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Headless Chromium from the operating system (Debian's {@code chromium} and {@code chromium-driver}), driven by
 * Selenium. Both paths are given explicitly, so Selenium Manager never looks anything up on the network.
 * {@code VIDEOGEN_CHROMIUM} and {@code VIDEOGEN_CHROMEDRIVER} point elsewhere when a machine keeps them elsewhere.
 */
final class Chromium {

    static final Path BROWSER = Path.of(env("VIDEOGEN_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(env("VIDEOGEN_CHROMEDRIVER", "/usr/bin/chromedriver"));

    private Chromium() {
    }

    static ChromeDriver start(Path profileDir, int width, int height) throws IOException {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("The browser tests need Chromium and its driver at " + BROWSER + " and " + DRIVER
                    + " (Debian: apt-get install -y chromium chromium-driver; or set VIDEOGEN_CHROMIUM / VIDEOGEN_CHROMEDRIVER)");
        }
        Files.createDirectories(profileDir);
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--autoplay-policy=no-user-gesture-required", "--force-color-profile=srgb", "--hide-scrollbars",
                "--lang=en-US", "--window-size=" + width + "," + height, "--user-data-dir=" + profileDir);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
