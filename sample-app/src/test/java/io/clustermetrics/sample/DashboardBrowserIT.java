package io.clustermetrics.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Node 1's dashboard in a real headless Chromium, with the cluster of {@code ./run-cluster.sh}: it lists the
 * three nodes, a node stressed from the page shows a higher CPU bar and a lower weight, and the share chart
 * shows its traffic falling. Leaves {@code target/dashboard.png}. Needs Debian's {@code chromium} and
 * {@code chromium-driver} (or {@code CHROME_BIN} and {@code CHROMEDRIVER}); fails without them.
 */
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOT = LocalCluster.ROOT.resolve("sample-app/target/dashboard.png");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path profile;

    @Test
    void showsTheClusterAStressedNodeAndItsTrafficMovingAway() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM)).as("No Chromium at %s: install it with `apt-get install -y chromium "
                + "chromium-driver` (as .ci/run does), or point CHROME_BIN at one", CHROMIUM).isTrue();
        assertThat(Files.isExecutable(CHROMEDRIVER)).as("No ChromeDriver at %s: install it with `apt-get install -y "
                + "chromium chromium-driver` (as .ci/run does), or point CHROMEDRIVER at one", CHROMEDRIVER).isTrue();
        try (LocalCluster cluster = LocalCluster.start("dashboard-browser-it")) {
            String first = cluster.nodes.get(0);
            String stressed = cluster.nodes.get(1);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .failFast("run-cluster.sh exited", () -> !cluster.script.isAlive())
                    .until(() -> LocalCluster.get(first + "/actuator/health") != null);
            WebDriver browser = chromium();
            try {
                browser.get(first + "/");
                long opened = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
                        assertThat(browser.findElements(By.cssSelector("#nodes .card")))
                                .extracting(card -> card.getDomAttribute("data-address"))
                                .containsExactlyElementsOf(cluster.nodes));
                System.out.printf("Node 1's dashboard listed all three nodes %.1f s after it opened%n",
                        (System.nanoTime() - opened) / 1e9);
                await().atMost(Duration.ofSeconds(15)).until(() -> latestShares(browser).values().stream()
                        .filter(s -> s != null).count() == 3);
                String chartEndBefore = chart(browser).getDomAttribute("data-end");

                WebElement button = card(browser, stressed).findElement(By.cssSelector("button.stress"));
                button.click();
                long clicked = System.nanoTime();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(button.getText()).startsWith("Stressing");
                    for (String other : cluster.nodes) {
                        if (!other.equals(stressed)) {
                            assertThat(value(browser, stressed, "cpu")).as("CPU").isGreaterThan(value(browser, other, "cpu") + 0.15);
                            assertThat(barWidth(browser, stressed, "cpu")).as("CPU bar").isGreaterThan(barWidth(browser, other, "cpu"));
                            assertThat(value(browser, stressed, "weight")).as("weight").isLessThan(value(browser, other, "weight") - 0.05);
                        }
                    }
                });
                System.out.printf("%.1f s after the click, the stressed node's CPU bar was the highest and its weight the "
                        + "lowest: %s%n", (System.nanoTime() - clicked) / 1e9, cards(browser, cluster.nodes));
                Map<String, Double> during = awaitShareBelowTheOthers(browser, stressed, button);
                System.out.printf("%.1f s after the click, its share of /work had fallen below the others' mean: %s%n",
                        (System.nanoTime() - clicked) / 1e9, during);
                assertThat(Long.parseLong(chart(browser).getDomAttribute("data-end"))).as("the chart's last second")
                        .isGreaterThan(Long.parseLong(chartEndBefore));
                Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (Exception | AssertionError e) {
                Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                        SCREENSHOT.resolveSibling("dashboard-failure.png"), StandardCopyOption.REPLACE_EXISTING);
                throw e;
            } finally {
                browser.quit();
            }
        }
    }

    /** Debian's headless Chromium through its ChromeDriver, named explicitly so that Selenium downloads nothing. */
    private WebDriver chromium() {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1280,960", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }

    private static WebElement card(WebDriver browser, String node) {
        return browser.findElement(By.cssSelector("#nodes .card[data-address='" + node + "']"));
    }

    /** What the cards show, for the test's log. */
    private static String cards(WebDriver browser, List<String> nodes) {
        StringBuilder out = new StringBuilder();
        for (String node : nodes) {
            out.append(String.format("%n  %s cpu %.2f weight %.2f", node, value(browser, node, "cpu"), value(browser, node, "weight")));
        }
        return out.toString();
    }

    private static WebElement chart(WebDriver browser) {
        return browser.findElement(By.id("share-chart"));
    }

    /** A card's number, as its bar shows it: {@code cpu}, {@code memory} or {@code weight}. */
    private static double value(WebDriver browser, String node, String metric) {
        return Double.parseDouble(card(browser, node).getDomAttribute("data-" + metric));
    }

    /** How wide a card's bar is drawn, in pixels. */
    private static int barWidth(WebDriver browser, String node, String metric) {
        return card(browser, node).findElement(By.cssSelector(".metric." + metric + " .fill")).getSize().getWidth();
    }

    /** The chart's newest point per node: its share of /work in the last seconds, 0 to 100, null when none. */
    private static Map<String, Double> latestShares(WebDriver browser) {
        JsonNode latest = JSON.readTree(chart(browser).getDomAttribute("data-latest"));
        Map<String, Double> shares = new HashMap<>();
        latest.properties().forEach(e -> shares.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asDouble()));
        return shares;
    }

    /**
     * Watches the chart, while {@code button} says the stress runs, until the stressed node's line averaged
     * over the last 6 s is clearly (by 10 %) below the other nodes' mean: traffic has moved away from it. On
     * a quiet machine it falls by a third or more; on a crowded one the stressed node gets less CPU, so its
     * weight and its share fall less. Returns those averages.
     */
    private static Map<String, Double> awaitShareBelowTheOthers(WebDriver browser, String stressed, WebElement button)
            throws InterruptedException {
        List<Map<String, Double>> seen = new ArrayList<>();
        Map<String, Double> average = Map.of();
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (button.getText().startsWith("Stressing") && System.nanoTime() < end) {
            seen.add(latestShares(browser));
            if (seen.size() > 12) {
                seen.remove(0);
            }
            average = average(seen);
            double others = average.entrySet().stream().filter(e -> !e.getKey().equals(stressed))
                    .mapToDouble(Map.Entry::getValue).average().orElse(0.0);
            if (seen.size() == 12 && average.get(stressed) < 0.9 * others) {
                return average;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("The stress of " + stressed + " ended before its share of /work fell clearly below "
                + "the other nodes' mean: " + average);
    }

    private static Map<String, Double> average(List<Map<String, Double>> seen) {
        Map<String, Double> average = new HashMap<>();
        seen.get(0).keySet().forEach(n -> average.put(n,
                seen.stream().mapToDouble(s -> s.get(n) == null ? 0.0 : s.get(n)).average().orElse(0.0)));
        return average;
    }
}
