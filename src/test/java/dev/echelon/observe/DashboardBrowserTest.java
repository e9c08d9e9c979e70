package dev.echelon.observe;

import dev.echelon.residency.control.ResidencyController;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Opens the dashboard at {@code /} in Debian's headless Chromium while mock traffic runs, waits until its charts hold
 * data — residency timeline cells, GPU/host pressure lines with points, a routing-mix bar and count for a role that
 * was served, TTFT percentiles — and saves a screenshot to {@code target/dashboard.png}. Without chromium and
 * chromedriver the test fails and says how to install them: a skipped browser test proves nothing.
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    @Inject
    Supervisor supervisor;
    @Inject
    ResidencyController residency;

    @TestHTTPResource("/")
    URL base;

    @Test
    void theDashboardDrawsLiveDataWhileTrafficRuns() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the dashboard test needs Debian's chromium and chromedriver at " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install -y chromium chromium-driver (./echelon test installs them)");
        }
        MockTraffic traffic = new MockTraffic(base);
        MockTraffic.awaitReady(supervisor);
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                traffic.run(residency);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        WebDriver browser = chromium();
        try {
            browser.get(base.toString());
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90), Duration.ofMillis(250));
            // the page polls every 2 s; wait until a served role has a bar and a count above zero
            wait.until(d -> count(d, "mix", "greeter") > 0);
            wait.until(d -> !d.findElements(By.cssSelector("#latency-table td")).isEmpty());
            wait.until(d -> points(d, "gpu-line") >= 2);

            // one script call: the timeline is redrawn live, and cells found first may be replaced before they are read
            List<?> cellRoles = (List<?>) ((JavascriptExecutor) browser).executeScript("return Array.from("
                    + "document.querySelectorAll('#timeline rect.state')).map(e => e.getAttribute('data-role'));");
            assertFalse(cellRoles.isEmpty(), "residency timeline cells");
            assertTrue(cellRoles.contains("greeter"), "greeter's row: " + cellRoles);
            assertTrue(cellRoles.contains("expert"), "expert's row: " + cellRoles);
            assertTrue(points(browser, "host-line") >= 2, "host-RAM pressure line");
            assertFalse(browser.findElements(By.cssSelector("#mix rect.bar[data-key='greeter']")).isEmpty(),
                    "routing-mix bar for the greeter");
            String status = browser.findElement(By.id("status")).getText();
            assertTrue(status.startsWith("live"), "the page says it is live: " + status);
            for (String link : List.of("/q/health", "/admin/residency", "/q/swagger-ui")) {
                assertFalse(browser.findElements(By.cssSelector("a[href='" + link + "']")).isEmpty(), link);
            }

            running.get(180, TimeUnit.SECONDS);
            // one more poll after the traffic: escalations and acceptance have data by now
            wait.until(d -> !d.findElements(By.cssSelector("#acceptance rect.bar")).isEmpty());
            wait.until(d -> !d.findElements(By.cssSelector("#escalations rect.bar")).isEmpty());
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.createDirectories(SCREENSHOT.getParent());
            Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
            long size = Files.size(SCREENSHOT);
            assertTrue(size > 10_000, "a real screenshot: " + size + " bytes");
            System.out.printf("dashboard screenshot %s: %d bytes; routing mix greeter=%d; traffic %s%n",
                    SCREENSHOT.toAbsolutePath(), size, count(browser, "mix", "greeter"), traffic.statuses);
        } finally {
            browser.quit();
            running.cancel(true);
        }
    }

    /** Debian's chromium through its chromedriver, never a downloaded one (Selenium Manager stays out). */
    static WebDriver chromium() {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking",
                "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /**
     * The chart's count label for {@code key}, read in one script call: the charts redraw live, and an element found
     * first and read after may have been replaced in between (a stale element reference).
     */
    private static long count(WebDriver d, String chart, String key) {
        String text = read(d, "#" + chart + " text.count[data-key='" + key + "']", null);
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int points(WebDriver d, String id) {
        String pts = read(d, "#" + id, "points");
        return pts == null || pts.isBlank() ? 0 : pts.trim().split("\\s+").length;
    }

    /** The first element matching {@code selector}: its {@code attribute}, or its text if that is null; else null. */
    private static String read(WebDriver d, String selector, String attribute) {
        Object v = ((JavascriptExecutor) d).executeScript("const e = document.querySelector(arguments[0]);"
                + " if (!e) return null;"
                + " return arguments[1] === null ? e.textContent : e.getAttribute(arguments[1]);",
                selector, attribute);
        return v == null ? null : v.toString();
    }
}
