package io.courier.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.simulator.LinkedInSimulator;
import io.courier.simulator.SimulatorOptions;
import io.courier.testkit.MediaFiles;
import io.courier.testkit.SimulatorControl;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a producer's media URL may lead Courier, against a real HTTP server (the simulator's media server). */
class MediaFetcherTest {

    private static LinkedInSimulator sim;
    private static SimulatorControl control;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        sim = LinkedInSimulator.start(SimulatorOptions.defaults().withPort(0));
        control = new SimulatorControl(sim.baseUrl());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static MediaFetcher fetcher(List<String> hosts, List<String> schemes) {
        return new MediaFetcher(hosts, schemes, Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static MediaItem image(String url) {
        return new MediaItem(0, url, MediaItem.Kind.IMAGE, Optional.empty(), Optional.empty());
    }

    @Test
    void fetchesTheBytesFromAnAllowedHost() throws Exception {
        byte[] png = MediaFiles.png(32, 32);
        String url = control.putFile("ok.png", png, "image/png");
        Path into = dir.resolve("ok");
        long size = fetcher(List.of("127.0.0.1"), List.of("http")).fetch(image(url), 1_000_000, into);
        assertThat(size).isEqualTo(png.length);
        assertThat(Files.readAllBytes(into)).isEqualTo(png);
    }

    @Test
    void aHostNotListedIsRefusedBeforeAnyRequest() {
        String url = control.putFile("a.png", MediaFiles.png(4, 4), "image/png").replace("127.0.0.1", "localhost");
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("http")).fetch(image(url), 1000,
                dir.resolve("a"))).hasMessage("payload.media[0]: host 'localhost' is not in"
                        + " courier.media.allowed-hosts");
        assertThatThrownBy(() -> fetcher(List.of(), List.of("http")).fetch(image(url), 1000, dir.resolve("a")))
                .hasMessageContaining("none is set");
    }

    @Test
    void aListedNameThatResolvesToAPrivateAddressIsRefusedUnlessTheAddressIsListed() throws Exception {
        String url = control.putFile("b.png", MediaFiles.png(4, 4), "image/png").replace("127.0.0.1", "localhost");
        assertThatThrownBy(() -> fetcher(List.of("localhost"), List.of("http")).fetch(image(url), 1000,
                dir.resolve("b"))).hasMessageContaining("resolves to 127.0.0.1, a private, loopback or link-local"
                        + " address");
        assertThat(fetcher(List.of("localhost", "127.0.0.1", "::1"), List.of("http")).fetch(image(url), 1000,
                dir.resolve("b"))).isPositive();
    }

    @Test
    void onlyTheConfiguredSchemes() {
        String url = control.putFile("c.png", MediaFiles.png(4, 4), "image/png");
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("https")).fetch(image(url), 1000,
                dir.resolve("c"))).hasMessage("payload.media[0]: scheme 'http' is not allowed"
                        + " (courier.media.schemes=https)");
    }

    @Test
    void oneRedirectWithinTheAllowedHostsIsFollowedAndNoMore() throws Exception {
        String target = control.putFile("target.png", MediaFiles.png(4, 4), "image/png");
        String once = redirect("once", target);
        assertThat(fetcher(List.of("127.0.0.1"), List.of("http")).fetch(image(once), 1000, dir.resolve("d")))
                .isPositive();
        String twice = redirect("twice", once);
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("http")).fetch(image(twice), 1000,
                dir.resolve("e"))).hasMessage("payload.media[0]: redirected more than 1 time");
        String away = redirect("away", "http://169.254.169.254/latest/meta-data/");
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("http")).fetch(image(away), 1000,
                dir.resolve("f"))).hasMessage("payload.media[0]: host '169.254.169.254' is not in"
                        + " courier.media.allowed-hosts");
    }

    @Test
    void theReadStopsAtTheKindsLimit() {
        String url = control.putFile("big.jpg", MediaFiles.jpeg(400, 400), "image/jpeg");
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("http")).fetch(image(url), 100,
                dir.resolve("g"))).isInstanceOfSatisfying(MediaException.class,
                        e -> assertThat(e.kind()).isEqualTo(MediaException.Kind.REJECTED))
                .hasMessageContaining("over courier.media.max-image-bytes (100)");
    }

    @Test
    void aMissingFileIsTheJobsFaultAnOverloadedServerIsNot() {
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("http"))
                .fetch(image(sim.baseUrl() + "/files/nothing-here"), 1000, dir.resolve("h")))
                .isInstanceOfSatisfying(MediaException.class,
                        e -> assertThat(e.kind()).isEqualTo(MediaException.Kind.REJECTED))
                .hasMessageContaining("answered 404");
        control.putFile("busy.png", MediaFiles.png(4, 4), "image/png");
        control.fault("""
                {"method":"GET","path":"/files/busy.png","status":503,"times":1}""");
        assertThatThrownBy(() -> fetcher(List.of("127.0.0.1"), List.of("http"))
                .fetch(image(sim.baseUrl() + "/files/busy.png"), 1000, dir.resolve("i")))
                .isInstanceOfSatisfying(MediaException.class,
                        e -> assertThat(e.kind()).isEqualTo(MediaException.Kind.UNAVAILABLE))
                .hasMessageContaining("answered 503");
    }

    @Test
    void aServerThatStopsSendingEndsAtTheDeadline() {
        String url = control.putFile("slow.png", MediaFiles.png(4, 4), "image/png");
        control.fault("""
                {"method":"GET","path":"/files/slow.png","mode":"hang","latencyMs":20000,"times":1}""");
        long started = System.nanoTime();
        assertThatThrownBy(() -> new MediaFetcher(List.of("127.0.0.1"), List.of("http"), Duration.ofSeconds(1),
                Duration.ofSeconds(2)).fetch(image(url), 1000, dir.resolve("j")))
                .isInstanceOfSatisfying(MediaException.class,
                        e -> assertThat(e.kind()).isEqualTo(MediaException.Kind.UNAVAILABLE))
                .hasMessageContaining("courier.media.read-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
    }

    @ParameterizedTest(name = "{0} public: {1}")
    @CsvSource({"10.1.2.3, false", "172.16.0.1, false", "192.168.1.1, false", "169.254.169.254, false",
            "100.64.0.1, false", "127.0.0.1, false", "0.0.0.0, false", "::1, false", "fc00::1, false",
            "fe80::1, false", "8.8.8.8, true", "2001:4860:4860::8888, true", "151.101.1.1, true"})
    void whichAddressesArePublic(String address, boolean expected) throws Exception {
        assertThat(MediaFetcher.isPublic(InetAddress.getByName(address))).isEqualTo(expected);
    }

    private static String redirect(String name, String to) {
        control.call("PUT", "/sim/files/" + name + "?redirectTo="
                + java.net.URLEncoder.encode(to, java.nio.charset.StandardCharsets.UTF_8), "");
        return sim.baseUrl() + "/files/" + name;
    }
}
