package dev.videogen.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web UI in a real browser (headless Chromium) against the whole system started by ./run.sh with the demo
 * generator: what a person sees and does, from picking an image to watching the video, across reloads, on a desktop
 * and on a phone-sized window. Screenshots of both land in docs/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiIT {

    private static final int DESKTOP_W = 1280;
    private static final int DESKTOP_H = 800;
    private static final int MOBILE_W = 390;
    private static final int MOBILE_H = 844;
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);

    /** Records, in the page, every progress value and status each job's message shows, in order. */
    private static final String RECORDER = """
            if (!window.__vg) {
              window.__vg = { progress: {}, status: {} };
              const push = (map, id, value) => { (map[id] = map[id] || []).push(value); };
              new MutationObserver((records) => {
                for (const r of records) {
                  const el = r.target;
                  const owner = el.closest && el.closest('[data-job-id]');
                  if (!owner) continue;
                  if (r.attributeName === 'aria-valuenow' && el.classList.contains('progress')) {
                    push(window.__vg.progress, owner.dataset.jobId, Number(el.getAttribute('aria-valuenow')));
                  } else if (r.attributeName === 'data-status' && el === owner) {
                    push(window.__vg.status, owner.dataset.jobId, el.dataset.status);
                  }
                }
              }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow', 'data-status'] });
            }
            """;

    private static LocalSystem system;
    private static ChromeDriver driver;
    private static JavascriptExecutor js;
    private static Path files;
    private static Path dawnPng;
    private static Path damagedPng;
    private static Path textFile;
    private static Path hugePng;
    private static Path screenshots;

    private static String firstJob;
    private static String failedJob;

    @BeforeAll
    static void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        long now = System.currentTimeMillis();
        system = new LocalSystem(target.resolve("webui-data-" + now), 28000);
        for (int port : system.ports) {
            assertThat(LocalSystem.listening(port)).as("port %d must be free for the test system", port).isFalse();
        }
        files = Files.createDirectories(target.resolve("webui-files-" + now));
        dawnPng = Files.write(files.resolve("dawn.png"), dawn(960, 540));
        // A real PNG cut after its header: the gateway (which reads headers only) accepts it, the generator cannot decode it.
        damagedPng = Files.write(files.resolve("damaged.png"), Arrays.copyOf(dawn(320, 180), 33));
        textFile = Files.writeString(files.resolve("notes.txt"), "not an image");
        byte[] huge = new byte[10 * 1024 * 1024 + 1];
        System.arraycopy(dawn(64, 64), 0, huge, 0, 33);
        hugePng = Files.write(files.resolve("huge.png"), huge);
        String root = System.getenv("VIDEOGEN_ROOT");
        screenshots = Path.of(root == null ? ".." : root).toAbsolutePath().normalize().resolve("docs/screenshots");

        system.start();
        awaitServicesUp();
        driver = Chromium.start(target.resolve("webui-profile-" + now), DESKTOP_W, DESKTOP_H);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        js = driver;
        viewport(DESKTOP_W, DESKTOP_H);
    }

    /** run.sh reports "up" when the gateway answers; the first job should not wait for a worker still starting. */
    private static void awaitServicesUp() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int port : List.of(system.statusPort, system.mediaPort, system.workerPort)) {
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .timeout(Duration.ofSeconds(5)).build();
            await("service on port " + port + " healthy").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(() -> http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"UP\""));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (system != null) {
                system.stop();
            }
        }
    }

    @Test
    @Order(1)
    void aWideWindowOpensWithTheSidebarAndTheChevronTogglesIt() {
        open();
        WebElement toggle = driver.findElement(By.id("sidebar-toggle"));
        WebElement sidebar = driver.findElement(By.id("sidebar"));
        assertThat(toggle.getAttribute("aria-expanded")).isEqualTo("true");
        assertThat(sidebar.isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("welcome")).isDisplayed()).as("the empty chat welcomes").isTrue();

        toggle.click();
        waitFor("the sidebar to close", d -> "false".equals(toggle.getAttribute("aria-expanded")) && !sidebar.isDisplayed());
        assertThat(toggle.getAttribute("aria-label")).isEqualTo("Open sidebar");
        assertThat(sidebarWidth()).isZero();

        toggle.click();
        waitFor("the sidebar to open", d -> "true".equals(toggle.getAttribute("aria-expanded")) && sidebar.isDisplayed());
        assertThat(toggle.getAttribute("aria-label")).isEqualTo("Close sidebar");
        waitFor("the sidebar to take its width", d -> sidebarWidth() > 200);
    }

    @Test
    @Order(2)
    void anImageAndAPromptBecomeAVideoWithLiveProgressThatPlays() {
        firstJob = submit(dawnPng, "Waves roll in at dawn, the camera drifts left <AUDCAP>waves, gulls<ENDAUDCAP>");

        WebElement message = message(firstJob);
        assertThat(driver.findElement(By.cssSelector("[data-entry-job-id='" + firstJob + "'] .prompt-text")).getText())
                .startsWith("Waves roll in at dawn");
        waitFor("the thumbnail of the upload", d -> (Boolean) js.executeScript(
                "const i = arguments[0].querySelector('.thumb'); return i.complete && i.naturalWidth > 0;",
                driver.findElement(By.cssSelector("[data-entry-job-id='" + firstJob + "']"))));
        waitFor("the video", JOB_TIMEOUT, d -> !message.findElements(By.tagName("video")).isEmpty());
        assertThat(message.getAttribute("data-status")).isEqualTo("succeeded");
        assertThat(message.findElement(By.cssSelector(".stage")).getText()).isEqualTo("Your video is ready.");

        List<Long> progress = recorded("progress", firstJob);
        assertThat(progress).as("progress values shown").isNotEmpty().isSorted().endsWith(100L);
        assertThat(progress).as("progress values shown between start and end").anyMatch(v -> v > 0 && v < 100);
        assertThat(recorded("status", firstJob)).as("statuses shown").contains("running", "succeeded");

        WebElement video = message.findElement(By.tagName("video"));
        assertThat(video.getAttribute("poster")).endsWith("/api/video-blob/" + firstJob + "/poster");
        assertThat(video.getAttribute("src")).endsWith("/api/video-blob/" + firstJob);
        assertPlays(video);
        assertThat(message.findElement(By.cssSelector("a.download")).getAttribute("href")).contains("/api/video-blob/" + firstJob);
        assertThat(message.findElements(By.cssSelector(".cancel"))).isEmpty();

        WebElement historyItem = historyItem(firstJob);
        assertThat(historyItem.findElement(By.cssSelector(".badge")).getText()).isEqualToIgnoringCase("Ready");
        assertThat(driver.findElement(By.id("welcome")).isDisplayed()).isFalse();
    }

    @Test
    @Order(3)
    void aReloadShowsTheHistoryFromTheServerAndReattachesRunningJobs() throws IOException {
        List<String> batch = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            batch.add(submit(dawnPng, "A lighthouse beam sweeps the sea, take " + i));
        }
        scrollToBottom();
        review("running.png");
        open(); // reload while the later ones are still queued behind the worker
        Map<String, String> firstSeen = new LinkedHashMap<>();
        waitFor("the history after the reload", d -> {
            for (String id : batch) {
                List<WebElement> found = d.findElements(By.cssSelector("[data-job-id='" + id + "']"));
                if (!found.isEmpty()) {
                    firstSeen.putIfAbsent(id, found.get(0).getAttribute("data-status"));
                }
            }
            return firstSeen.size() == batch.size();
        });
        List<String> caught = firstSeen.entrySet().stream()
                .filter(e -> e.getValue().equals("queued") || e.getValue().equals("running")).map(Map.Entry::getKey).toList();
        assertThat(caught).as("jobs still queued or running right after the reload: %s", firstSeen).isNotEmpty();
        for (String id : batch) {
            waitFor("job " + id + " to finish after the reload", JOB_TIMEOUT,
                    d -> !message(id).findElements(By.tagName("video")).isEmpty());
        }
        for (String id : caught) {
            assertThat(recorded("status", id)).as("statuses of %s after the reload", id).endsWith("succeeded");
            assertThat(recorded("progress", id)).as("progress of %s after the reload", id).isSorted().endsWith(100L);
        }

        // The job finished before the reload comes back from the server, with its video, which plays.
        WebElement first = message(firstJob);
        assertThat(first.getAttribute("data-status")).isEqualTo("succeeded");
        assertThat(historyItem(firstJob).findElement(By.cssSelector(".badge")).getText()).isEqualToIgnoringCase("Ready");
        assertPlays(first.findElement(By.tagName("video")));
        js.executeScript("arguments[0].pause(); arguments[0].currentTime = 0;", first.findElement(By.tagName("video")));

        // A finished video in the chat with the sidebar open.
        scrollToBottom();
        waitForPosters();
        screenshot("desktop.png");
    }

    @Test
    @Order(4)
    void theHistoryImagesAndVideosTabsListTheJobsAndOpenTheirEntries() {
        WebElement historyTab = driver.findElement(By.id("tab-history"));
        WebElement imagesTab = driver.findElement(By.id("tab-images"));
        WebElement videosTab = driver.findElement(By.id("tab-videos"));
        assertThat(historyTab.getAttribute("aria-selected")).isEqualTo("true");
        assertThat(driver.findElements(By.cssSelector("#history-list [data-history-job-id]"))).hasSizeGreaterThanOrEqualTo(5);

        // History: the newest first; opening an old one brings its conversation entry into view and highlights it.
        assertThat(driver.findElements(By.cssSelector("#history-list [data-history-job-id]")).get(4)
                .getAttribute("data-history-job-id")).isEqualTo(firstJob);
        historyItem(firstJob).findElement(By.cssSelector(".history-open")).click();
        assertHighlighted(firstJob);
        assertThat(historyItem(firstJob).getAttribute("class")).contains("is-current");

        imagesTab.click();
        waitFor("the images panel", d -> driver.findElement(By.id("images-grid")).isDisplayed());
        assertThat(imagesTab.getAttribute("aria-selected")).isEqualTo("true");
        assertThat(driver.findElement(By.id("history-list")).isDisplayed()).isFalse();
        WebElement image = driver.findElement(By.cssSelector("#images-grid [data-image-job-id='" + firstJob + "']"));
        waitFor("the input image in the grid", d -> (Boolean) js.executeScript(
                "const i = arguments[0].querySelector('img'); return i.complete && i.naturalWidth > 0;", image));
        assertThat(driver.findElements(By.cssSelector("#images-grid [data-image-job-id]"))).hasSizeGreaterThanOrEqualTo(5);
        waitForNoHighlight();
        image.findElement(By.tagName("button")).click();
        assertHighlighted(firstJob);

        videosTab.click();
        waitFor("the videos panel", d -> driver.findElement(By.id("videos-grid")).isDisplayed());
        WebElement poster = driver.findElement(By.cssSelector("#videos-grid [data-video-job-id='" + firstJob + "']"));
        waitFor("the poster in the grid", d -> (Boolean) js.executeScript(
                "const i = arguments[0].querySelector('img'); return i.complete && i.naturalWidth > 0;", poster));
        assertThat(driver.findElements(By.cssSelector("#videos-grid [data-video-job-id]"))).hasSizeGreaterThanOrEqualTo(5);
        waitForNoHighlight();
        poster.findElement(By.tagName("button")).click();
        assertHighlighted(firstJob);

        historyTab.click();
        waitFor("the history panel", d -> driver.findElement(By.id("history-list")).isDisplayed());
    }

    @Test
    @Order(5)
    void theComposerRefusesWhatTheServerWouldRefuseWithTheSameWords() {
        WebElement error = driver.findElement(By.id("composer-error"));
        assertThat(error.isDisplayed()).isFalse();
        Set<String> before = jobIds();

        driver.findElement(By.id("image-input")).sendKeys(textFile.toString());
        waitFor("the type error", d -> error.isDisplayed());
        assertThat(error.getText()).isEqualTo("The image must be a JPEG, PNG or WebP file.");
        WebElement prompt = driver.findElement(By.id("prompt"));
        prompt.sendKeys("A text file is not a picture", Keys.ENTER);
        waitFor("the type error after Enter", d -> error.isDisplayed()
                && error.getText().equals("The image must be a JPEG, PNG or WebP file."));

        driver.findElement(By.id("image-input")).sendKeys(hugePng.toString());
        waitFor("the size error", d -> error.getText().equals("The image is larger than 10 MB."));

        driver.findElement(By.id("image-input")).sendKeys(dawnPng.toString());
        waitFor("a good image to clear the error", d -> !error.isDisplayed());
        prompt.clear();
        prompt.sendKeys(Keys.ENTER);
        waitFor("the prompt error", d -> error.isDisplayed()
                && error.getText().equals("Write a prompt of 1 to 2000 characters."));
        assertThat(prompt.getAttribute("aria-invalid")).isEqualTo("true");

        driver.findElement(By.id("preview-remove")).click();
        waitFor("the preview to go", d -> !driver.findElement(By.id("preview")).isDisplayed());
        assertThat(jobIds()).as("nothing was sent").isEqualTo(before);
    }

    @Test
    @Order(6)
    void aJobTheServerCannotFinishShowsItsErrorAndRetrySendsItAgain() throws IOException {
        failedJob = submit(damagedPng, "A damaged photo that cannot be read");
        WebElement message = message(failedJob);
        waitFor("the job to fail", JOB_TIMEOUT, d -> "failed".equals(message.getAttribute("data-status")));
        WebElement error = message.findElement(By.cssSelector(".error"));
        assertThat(error.isDisplayed()).isTrue();
        assertThat(error.findElement(By.cssSelector(".error-title")).getText()).isNotBlank();
        assertThat(error.findElement(By.cssSelector(".error-detail")).getText()).isNotBlank();
        assertThat(message.findElement(By.cssSelector(".stage")).getText()).isEqualTo("The video could not be made.");
        assertThat(message.findElements(By.tagName("video"))).isEmpty();
        assertThat(message.findElements(By.cssSelector(".cancel"))).isEmpty();
        assertThat(historyItem(failedJob).findElement(By.cssSelector(".badge")).getText()).isEqualToIgnoringCase("Failed");

        js.executeScript("arguments[0].scrollIntoView({block: 'end'});", message);
        review("failed.png");

        Set<String> before = jobIds();
        message.findElement(By.cssSelector(".retry")).click();
        String retried = waitFor("the retried job", d -> newJob(before));
        WebElement again = message(retried);
        assertThat(driver.findElement(By.cssSelector("[data-entry-job-id='" + retried + "'] .prompt-text")).getText())
                .isEqualTo("A damaged photo that cannot be read");
        waitFor("the retried job to end", JOB_TIMEOUT, d -> "failed".equals(again.getAttribute("data-status")));
        assertThat(again.findElement(By.cssSelector(".error-title")).getText())
                .isEqualTo(error.findElement(By.cssSelector(".error-title")).getText());
        assertThat(message.findElement(By.cssSelector(".retry")).isEnabled()).as("the first one can be retried again").isTrue();
    }

    @Test
    @Order(7)
    void aJobThatIsStillWaitingCanBeCanceled() throws IOException {
        List<String> batch = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            batch.add(submit(dawnPng, "A paper boat on a puddle, version " + i));
        }
        String last = batch.get(batch.size() - 1);
        WebElement message = message(last);
        WebElement cancel = message.findElement(By.cssSelector(".cancel"));
        assertThat(message.getAttribute("data-status")).isIn("queued", "running");
        cancel.click();
        waitFor("the job to be canceled", Duration.ofSeconds(20), d -> "canceled".equals(message.getAttribute("data-status")));
        assertThat(message.findElement(By.cssSelector(".stage")).getText()).isEqualTo("Canceled");
        assertThat(message.findElements(By.cssSelector(".cancel"))).isEmpty();
        assertThat(message.findElements(By.tagName("video"))).isEmpty();
        assertThat(message.findElement(By.cssSelector(".retry")).isDisplayed()).isTrue();
        js.executeScript("arguments[0].scrollIntoView({block: 'end'});", message);
        review("canceled.png");

        for (String id : batch.subList(0, batch.size() - 1)) {
            waitFor("job " + id + " to finish", JOB_TIMEOUT, d -> !message(id).findElements(By.tagName("video")).isEmpty());
        }
        open();
        waitFor("the canceled job from the server", d -> !d.findElements(By.cssSelector("[data-job-id='" + last + "']")).isEmpty());
        assertThat(message(last).getAttribute("data-status")).isEqualTo("canceled");
        assertThat(message(last).findElements(By.tagName("video"))).isEmpty();
    }

    @Test
    @Order(8)
    void deletingAJobRemovesItFromTheHistoryForGood() {
        WebElement item = historyItem(failedJob);
        item.findElement(By.cssSelector(".delete")).click();
        waitFor("the job to leave the page", d -> d.findElements(By.cssSelector("[data-history-job-id='" + failedJob + "']")).isEmpty()
                && d.findElements(By.cssSelector("[data-entry-job-id='" + failedJob + "']")).isEmpty()
                && d.findElements(By.cssSelector("[data-image-job-id='" + failedJob + "']")).isEmpty());

        open();
        waitFor("the history after the reload", d -> !d.findElements(By.cssSelector("[data-job-id='" + firstJob + "']")).isEmpty());
        assertThat(driver.findElements(By.cssSelector("[data-job-id='" + failedJob + "']"))).as("deleted on the server").isEmpty();
    }

    @Test
    @Order(9)
    void aPhoneSizedWindowStartsWithTheSidebarClosedAndOverlaysIt() throws IOException {
        viewport(MOBILE_W, MOBILE_H);
        WebElement toggle = driver.findElement(By.id("sidebar-toggle"));
        waitFor("the sidebar to close when the window narrows", d -> "false".equals(toggle.getAttribute("aria-expanded")));

        open();
        WebElement sidebar = driver.findElement(By.id("sidebar"));
        WebElement reloadedToggle = driver.findElement(By.id("sidebar-toggle"));
        assertThat(reloadedToggle.getAttribute("aria-expanded")).isEqualTo("false");
        assertThat(sidebar.isDisplayed()).isFalse();
        waitFor("the history", d -> !d.findElements(By.cssSelector("[data-job-id='" + firstJob + "']")).isEmpty());

        reloadedToggle.click();
        waitFor("the sidebar to open over the chat", d -> "true".equals(reloadedToggle.getAttribute("aria-expanded"))
                && sidebar.isDisplayed() && driver.findElement(By.id("scrim")).isDisplayed());
        assertThat(driver.findElement(By.cssSelector(".chat")).getRect().getWidth()).as("the chat keeps the full width")
                .isEqualTo(MOBILE_W);
        // On a phone, opening an entry from the sidebar closes the sidebar.
        historyItem(firstJob).findElement(By.cssSelector(".history-open")).click();
        waitFor("the sidebar to close", d -> "false".equals(reloadedToggle.getAttribute("aria-expanded")) && !sidebar.isDisplayed());
        assertHighlighted(firstJob);
        waitForNoHighlight();
        WebElement video = message(firstJob).findElement(By.tagName("video"));
        js.executeScript("arguments[0].scrollIntoView({block: 'end'});", video);
        waitForPosters();
        assertThat(horizontalOverflow()).as("nothing wider than the phone").isLessThanOrEqualTo(0L);
        screenshot("mobile.png");

        viewport(DESKTOP_W, DESKTOP_H);
        open();
        assertThat(driver.findElement(By.id("sidebar-toggle")).getAttribute("aria-expanded")).isEqualTo("true");
        assertThat(driver.findElement(By.id("sidebar")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("scrim")).isDisplayed()).isFalse();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static void open() {
        driver.get(system.gateway() + "/");
        js.executeScript(RECORDER);
    }

    /** Chooses the file with the file input, types the prompt, presses Enter; answers the new job's id. */
    private static String submit(Path image, String prompt) {
        Set<String> before = jobIds();
        driver.findElement(By.id("image-input")).sendKeys(image.toString());
        WebElement box = driver.findElement(By.id("prompt"));
        waitFor("the preview", d -> d.findElement(By.id("preview")).isDisplayed());
        box.sendKeys(prompt);
        box.sendKeys(Keys.ENTER);
        String id = waitFor("the new job in the chat", d -> newJob(before));
        waitFor("the composer to be ready again", d -> box.getAttribute("value").isEmpty()
                && !d.findElement(By.id("preview")).isDisplayed());
        return id;
    }

    private static String newJob(Set<String> before) {
        Set<String> now = jobIds();
        now.removeAll(before);
        return now.isEmpty() ? null : now.iterator().next();
    }

    @SuppressWarnings("unchecked")
    private static Set<String> jobIds() {
        return new LinkedHashSet<>((List<String>) js.executeScript(
                "return Array.from(document.querySelectorAll('[data-job-id]'), e => e.dataset.jobId);"));
    }

    private static WebElement message(String jobId) {
        return driver.findElement(By.cssSelector("[data-job-id='" + jobId + "']"));
    }

    private static WebElement historyItem(String jobId) {
        return driver.findElement(By.cssSelector("#history-list [data-history-job-id='" + jobId + "']"));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> recorded(String what, String jobId) {
        List<T> values = (List<T>) js.executeScript("return (window.__vg[arguments[0]][arguments[1]] || []).slice();", what, jobId);
        return values == null ? List.of() : values;
    }

    /** play() succeeds, the element has data for the current frame and its clock moves. */
    private static void assertPlays(WebElement video) {
        js.executeScript("arguments[0].scrollIntoView({block: 'center'});", video);
        Object started = js.executeAsyncScript("""
                const video = arguments[0], done = arguments[arguments.length - 1];
                video.muted = true;
                video.play().then(() => done('playing'), (e) => done(String(e)));
                """, video);
        assertThat(started).isEqualTo("playing");
        waitFor("the video to have data", Duration.ofSeconds(20), d -> number(video, "readyState") >= 2);
        double from = number(video, "currentTime");
        waitFor("the video clock to advance", Duration.ofSeconds(20), d -> number(video, "currentTime") > from + 0.25);
        assertThat(js.executeScript("return arguments[0].error;", video)).isNull();
        assertThat(number(video, "videoWidth")).isPositive();
        assertThat(number(video, "duration")).isGreaterThan(1);
    }

    private static double number(WebElement element, String property) {
        return ((Number) js.executeScript("return arguments[0][arguments[1]];", element, property)).doubleValue();
    }

    private static void assertHighlighted(String jobId) {
        WebElement entry = driver.findElement(By.cssSelector("[data-entry-job-id='" + jobId + "']"));
        waitFor("the entry to be highlighted", d -> entry.getAttribute("class").contains("is-highlighted"));
        waitFor("the entry to be in view", d -> (Boolean) js.executeScript("""
                const r = arguments[0].getBoundingClientRect(), m = document.getElementById('messages').getBoundingClientRect();
                return r.bottom > m.top && r.top < m.bottom;
                """, entry));
        assertThat(js.executeScript("return document.activeElement === arguments[0];", entry)).as("focus on the entry").isEqualTo(true);
    }

    private static void waitForNoHighlight() {
        waitFor("the highlight to fade", d -> d.findElements(By.cssSelector(".entry.is-highlighted")).isEmpty());
    }

    private static void waitForPosters() {
        waitFor("thumbnails and posters", d -> (Boolean) js.executeScript("""
                return Array.from(document.querySelectorAll('#messages img.thumb')).every(i => i.complete)
                  && Array.from(document.querySelectorAll('#messages video')).every(v => v.readyState >= 1);
                """));
    }

    private static void scrollToBottom() {
        js.executeScript("const m = document.getElementById('messages'); m.scrollTop = m.scrollHeight;");
    }

    private static long sidebarWidth() {
        return driver.findElement(By.id("sidebar")).getRect().getWidth();
    }

    private static long horizontalOverflow() {
        return ((Number) js.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
    }

    /** Sizes the window so that the page itself (the viewport) is width x height CSS pixels. */
    private static void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        @SuppressWarnings("unchecked")
        List<Number> inner = (List<Number>) js.executeScript("return [window.innerWidth, window.innerHeight];");
        int dw = width - inner.get(0).intValue();
        int dh = height - inner.get(1).intValue();
        if (dw != 0 || dh != 0) {
            driver.manage().window().setSize(new Dimension(width + dw, height + dh));
        }
        waitFor("the viewport to be " + width + "x" + height, d -> js.executeScript(
                "return [window.innerWidth, window.innerHeight];").equals(List.of((long) width, (long) height)));
    }

    private static void screenshot(String name) throws IOException {
        Files.createDirectories(screenshots);
        Files.write(screenshots.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Screenshots of other states, for a person to look at (target/webui-screens, not committed). */
    private static void review(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "webui-screens"));
        Files.write(dir.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    private static <T> T waitFor(String what, Function<WebDriver, T> condition) {
        return waitFor(what, Duration.ofSeconds(15), condition);
    }

    private static <T> T waitFor(String what, Duration timeout, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(100));
        wait.withMessage("waiting for " + what);
        return wait.until(condition);
    }

    /** A small picture of the sea at dawn (sky gradient, sun, waves), so the screenshots show something real. */
    private static byte[] dawn(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int horizon = height * 62 / 100;
        g.setPaint(new GradientPaint(0, 0, new Color(38, 52, 122), 0, horizon, new Color(252, 168, 92)));
        g.fillRect(0, 0, width, horizon);
        float sunR = height * 0.16f;
        g.setPaint(new RadialGradientPaint(width * 0.66f, horizon - sunR * 0.35f, sunR * 2.2f, new float[] {0f, 0.45f, 1f},
                new Color[] {new Color(255, 236, 170), new Color(255, 190, 110, 200), new Color(252, 168, 92, 0)}));
        g.fillRect(0, 0, width, horizon);
        g.setPaint(new GradientPaint(0, horizon, new Color(230, 120, 70), 0, height, new Color(22, 40, 90)));
        g.fillRect(0, horizon, width, height - horizon);
        g.setStroke(new BasicStroke(Math.max(1.5f, height / 180f)));
        for (int row = 0; row < 7; row++) {
            int y = horizon + (row + 1) * (height - horizon) / 8;
            g.setColor(new Color(255, 220, 180, 120 - row * 12));
            Path2D wave = new Path2D.Double();
            wave.moveTo(0, y);
            for (int x = 0; x <= width; x += 8) {
                wave.lineTo(x, y + Math.sin((x + row * 37) / (18.0 + row * 4)) * (2 + row));
            }
            g.draw(wave);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
