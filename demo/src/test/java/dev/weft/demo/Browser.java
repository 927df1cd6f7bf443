package dev.weft.demo;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Debian's headless chromium driven by Selenium through Debian's {@code /usr/bin/chromedriver}, named
 * explicitly so that Selenium Manager never downloads a driver or a browser. Saves screenshots under
 * {@code target/screenshots/}.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("weft.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("weft.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;
    private final String test;
    private int shots;

    private Browser(ChromeDriverService service, ChromeDriver driver, Path profile, String test) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
        this.test = test;
    }

    /**
     * Skips the calling test when chromium or chromedriver is missing, or fails it when
     * {@code WEFT_BROWSER_TESTS=required} (CI sets it).
     */
    static void requireInstalled() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (run .ci/install-browser: apt-get install -y chromium chromium-driver)";
            if ("required".equals(System.getenv("WEFT_BROWSER_TESTS"))) {
                fail(why + "; WEFT_BROWSER_TESTS=required");
            }
            abort(why);
        }
    }

    /** Whether chromium and chromedriver are installed; fails the calling test when they are not but required. */
    static boolean browserInstalledOrRequired() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return true;
        }
        if ("required".equals(System.getenv("WEFT_BROWSER_TESTS"))) {
            fail("browser check needs " + CHROMIUM + " and " + CHROMEDRIVER + "; WEFT_BROWSER_TESTS=required");
        }
        return false;
    }

    /** A headless chromium window of {@code width} x {@code height}; screenshots are named after {@code test}. */
    static Browser start(String test, int width, int height) throws IOException {
        requireInstalled();
        Path profile = Files.createTempDirectory("weft-chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height);
        try {
            var driver = new ChromeDriver(service, options);
            driver.manage().window().setSize(new Dimension(width, height));
            return new Browser(service, driver, profile, test);
        } catch (RuntimeException e) {
            service.stop();
            delete(profile);
            throw e;
        }
    }

    static Browser start(String test) throws IOException {
        return start(test, 1280, 900);
    }

    ChromeDriver driver() {
        return driver;
    }

    void navigate(String url) {
        driver.get(url);
    }

    /** The element matching {@code css}, waiting up to {@code timeout} for it to appear. */
    WebElement find(String css, Duration timeout) {
        try {
            return new WebDriverWait(driver, timeout).until(d -> {
                var found = d.findElements(By.cssSelector(css));
                return found.isEmpty() ? null : found.getFirst();
            });
        } catch (TimeoutException e) {
            throw new AssertionError("no element " + css + " within " + timeout + "; the page shows: " + text(), e);
        }
    }

    /** Clicks the element matching {@code css}, again if a live update replaced it between finding and clicking. */
    void click(String css, Duration timeout) {
        try {
            new WebDriverWait(driver, timeout)
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .ignoring(org.openqa.selenium.NoSuchElementException.class)
                    .ignoring(org.openqa.selenium.ElementClickInterceptedException.class)
                    .until(d -> {
                        d.findElement(By.cssSelector(css)).click();
                        return true;
                    });
        } catch (TimeoutException e) {
            screenshot("no-click");
            throw new AssertionError("could not click " + css + " within " + timeout + "; the page shows: " + text(), e);
        }
    }

    /** Runs {@code script} in the page and returns its value. */
    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    String text() {
        Object t = script("return document.body ? document.body.innerText : ''");
        return t == null ? "" : t.toString();
    }

    /** Waits until {@code script} returns true in the page, at most {@code timeout}. */
    void await(String script, Duration timeout, String what) {
        try {
            new WebDriverWait(driver, timeout).until(d -> Boolean.TRUE.equals(script(script)));
        } catch (TimeoutException e) {
            screenshot("timeout");
            throw new AssertionError(what + " did not happen within " + timeout + "; the page shows: " + text(), e);
        }
    }

    /** Saves a screenshot as {@code target/screenshots/<test>-<n>-<name>.png} and returns its path. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(String.format("%s-%02d-%s.png", test, ++shots, name));
            // the whole page: the window grows to the document's height for the shot, then shrinks back
            Dimension window = driver.manage().window().getSize();
            long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
            int full = (int) Math.min(6000, Math.max(window.getHeight(), height + 100));
            driver.manage().window().setSize(new Dimension(window.getWidth(), full));
            try {
                Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.manage().window().setSize(window);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            System.err.println("could not save screenshot " + name + ": " + e);
            return null;
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}
