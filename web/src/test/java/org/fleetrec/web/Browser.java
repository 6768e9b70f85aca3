package org.fleetrec.web;

import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A headless Chromium signed in to the app, for checking that pages show hostile event text as
 * text. Skips the test when no Chromium and driver are installed (the paths can be given with
 * {@code -Dfleetrec.chromium=} and {@code -Dfleetrec.chromedriver=}).
 */
final class Browser implements AutoCloseable {
    private final WebDriver driver;
    private final URI base;

    private Browser(WebDriver driver, URI base) {
        this.driver = driver;
        this.base = base;
    }

    static Browser signedIn(URI base, String user, String password) throws Exception {
        File chromium = new File(System.getProperty("fleetrec.chromium", "/usr/bin/chromium"));
        File chromedriver = new File(System.getProperty("fleetrec.chromedriver", "/usr/bin/chromedriver"));
        assumeTrue(chromium.canExecute() && chromedriver.canExecute(),
                "no Chromium at " + chromium + " with a driver at " + chromedriver + "; skipping the browser check");
        HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(user) + "&password=" + enc(password))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, login.statusCode(), "sign-in failed: " + login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        String session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        driver.get(base.resolve("/healthz").toString());
        driver.manage().addCookie(new Cookie(Sessions.COOKIE, session, "/"));
        return new Browser(driver, base);
    }

    WebDriver driver() {
        return driver;
    }

    void open(String path) {
        driver.get(base.resolve(path).toString());
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    WebElement one(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits until {@code css} matches at least {@code count} elements, and returns them. */
    List<WebElement> await(String css, int count) throws InterruptedException {
        return await(() -> {
            List<WebElement> found = all(css);
            return found.size() >= count ? found : null;
        }, "at least " + count + " of " + css);
    }

    <T> T await(Supplier<T> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            T value = condition.get();
            if (value != null) return value;
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + " on " + driver.getCurrentUrl());
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
