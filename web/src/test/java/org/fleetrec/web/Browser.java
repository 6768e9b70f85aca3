package org.fleetrec.web;

import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's headless Chromium, driven through its chromedriver: the real browser the pages are
 * written for. Tests that need it are skipped, saying why, where it is not installed (the paths
 * can be given with {@code -Dfleetrec.chromium=} and {@code -Dfleetrec.chromedriver=}).
 * Screenshots go to {@code target/browser-screenshots}, kept as test artifacts.
 */
public final class Browser implements AutoCloseable {
    private static final File CHROMIUM = new File(System.getProperty("fleetrec.chromium", "/usr/bin/chromium"));
    private static final File CHROMEDRIVER = new File(System.getProperty("fleetrec.chromedriver", "/usr/bin/chromedriver"));

    private final ChromeDriver driver;
    private final URI base;
    private final Path profile;

    /** Skips the calling test when there is no browser to drive. */
    public static void assumeInstalled() {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "no Chromium at " + CHROMIUM + " with a driver at "
                + CHROMEDRIVER + " (Debian: apt-get install chromium chromium-driver; .ci/run does)");
    }

    /** A browser on the app at {@code base}, not signed in. */
    public static Browser open(URI base) throws IOException {
        assumeInstalled();
        return new Browser(base);
    }

    /** A browser holding the session of a sign-in made through the real form. */
    public static Browser signedIn(URI base, String user, String password) throws Exception {
        String session = SignIn.session(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build(), base, user, password);
        Browser browser = open(base);
        browser.open("/healthz"); // a cookie can only be set for the origin the browser is on
        String[] cookie = session.split("=", 2);
        browser.driver.manage().addCookie(new Cookie(cookie[0], cookie[1], "/"));
        return browser;
    }

    private Browser(URI base) throws IOException {
        this.base = base;
        this.profile = Files.createTempDirectory("fleetrec-browser");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1400,1000", "--user-data-dir=" + profile);
        // The driver is named, so nothing tries to download one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Opens a path of the app. */
    public void open(String path) {
        driver.get(base.resolve(path).toString());
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public WebElement one(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits until {@code css} matches at least {@code count} elements, and returns them. */
    public List<WebElement> await(String css, int count) throws InterruptedException {
        return await(() -> {
            List<WebElement> found = all(css);
            return found.size() >= count ? found : null;
        }, "at least " + count + " of " + css);
    }

    /** Waits up to 30 s for {@code condition} to give something other than null. */
    public <T> T await(Supplier<T> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                T value = condition.get();
                if (value != null) return value;
            } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException redrawn) {
                // the page redrew what was being read: look again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + " on " + driver.getCurrentUrl());
    }

    /** True when a script of the page raised a dialog: the sign that hostile text ran as code. */
    public boolean alertShown() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /** Nothing hostile became markup: no element that event text could have named. */
    public boolean markupInjected() {
        return !all("main img, main script, main iframe").isEmpty();
    }

    public Path screenshot(String name) throws IOException {
        Path file = Files.createDirectories(Path.of("target", "browser-screenshots")).resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
