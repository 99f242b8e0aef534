package io.courier.media;

import io.courier.platform.RunningJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Fetches a media item's bytes into a file, as a producer must not be able to steer it: only the configured schemes
 * and hosts, no private, loopback or link-local address unless the address itself is listed, at most one redirect
 * (checked like the first URL), at most the kind's byte limit (the read stops past it), all within one deadline.
 * The JDK client resolves the name again when it connects; its DNS cache (networkaddress.cache.ttl, 30 s by
 * default) makes that the answer checked here, which is as far as the JDK client lets a check reach.
 */
final class MediaFetcher {

    private static final int MAX_REDIRECTS = 1;

    private final Set<String> allowedHosts;
    /** The IP literals among the allowed hosts: these addresses may be private (a media server inside the network). */
    private final Set<InetAddress> allowedAddresses;
    private final Set<String> schemes;
    private final Duration deadline;
    private final HttpClient http;

    MediaFetcher(List<String> allowedHosts, List<String> schemes, Duration connectTimeout, Duration deadline) {
        this.allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.allowedAddresses = this.allowedHosts.stream().filter(MediaFetcher::isIpLiteral).map(MediaFetcher::literal)
                .collect(Collectors.toUnmodifiableSet());
        this.schemes = schemes.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        this.deadline = deadline;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER) // each hop is checked here, not followed blindly
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** Writes the item's bytes to {@code into} and answers how many; at most {@code maxBytes}. */
    long fetch(MediaItem item, long maxBytes, Path into) {
        Instant until = Instant.now().plus(deadline);
        URI uri = parse(item, item.url());
        for (int redirects = 0;; redirects++) { // ends: at most MAX_REDIRECTS hops, then an answer or a refusal
            check(item, uri);
            HttpResponse<InputStream> response = send(item, uri, until);
            int status = response.statusCode();
            if (status / 100 == 3) {
                close(response);
                Optional<String> location = response.headers().firstValue("Location");
                if (location.isEmpty()) {
                    throw MediaException.rejected(item, "the media server answered " + status + " without Location");
                }
                if (redirects >= MAX_REDIRECTS) {
                    throw MediaException.rejected(item, "redirected more than " + MAX_REDIRECTS + " time");
                }
                try {
                    uri = parse(item, uri.resolve(location.get()).toString());
                } catch (IllegalArgumentException malformed) {
                    throw MediaException.rejected(item, "the media server redirected to a malformed Location");
                }
                continue;
            }
            if (status / 100 != 2) {
                close(response);
                if (status >= 500 || status == 429 || status == 408) {
                    throw MediaException.unavailable(item, "the media server answered " + status);
                }
                throw MediaException.rejected(item, "the media server answered " + status);
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                close(response);
                throw MediaException.rejected(item, tooLarge(item, declared + " bytes", maxBytes));
            }
            return copy(item, response.body(), maxBytes, into, until);
        }
    }

    private HttpResponse<InputStream> send(MediaItem item, URI uri, Instant until) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(remaining(item, until)).GET().build();
        CompletableFuture<HttpResponse<InputStream>> call = http.sendAsync(request,
                HttpResponse.BodyHandlers.ofInputStream());
        try {
            return call.get(remaining(item, until).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw MediaException.unavailable(item, "no answer within courier.media.read-timeout (" + deadline + ")");
        } catch (ExecutionException e) {
            throw MediaException.unavailable(item, "the media server could not be reached within"
                    + " courier.media.connect-timeout or answered nothing (" + e.getCause().getClass().getSimpleName()
                    + ")");
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw MediaException.unavailable(item, "interrupted");
        }
    }

    /**
     * Copies the body up to the limit and the deadline. A read blocks, so the deadline is also enforced from outside:
     * a timer closes the stream, which ends the blocked read.
     */
    private long copy(MediaItem item, InputStream body, long maxBytes, Path into, Instant until) {
        long total = 0;
        var stopper = CompletableFuture.delayedExecutor(remaining(item, until).toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> timer = CompletableFuture.runAsync(() -> close(body), stopper);
        try (InputStream in = body; OutputStream out = Files.newOutputStream(into)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0;) { // ends: end of body, the limit, or the timer's close
                total += n;
                if (total > maxBytes) {
                    throw MediaException.rejected(item, tooLarge(item, "more than " + maxBytes + " bytes", maxBytes));
                }
                write(out, buffer, n);
                RunningJob.reportProgress(); // bytes arrive: a long fetch is not a stuck loop
                if (Instant.now().isAfter(until)) {
                    break;
                }
            }
        } catch (IOException e) {
            if (!Instant.now().isBefore(until)) {
                throw MediaException.unavailable(item, "not all bytes within courier.media.read-timeout (" + deadline
                        + ")");
            }
            throw MediaException.unavailable(item, "the media server's answer broke off ("
                    + e.getClass().getSimpleName() + ")");
        } finally {
            timer.cancel(false);
        }
        if (Instant.now().isAfter(until)) {
            throw MediaException.unavailable(item, "not all bytes within courier.media.read-timeout (" + deadline
                    + ")");
        }
        return total;
    }

    /** A failed write is this pod's problem (its disk), not the media server's: an infrastructure failure. */
    private static void write(OutputStream out, byte[] buffer, int n) {
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing a fetched media item to the temporary directory", e);
        }
    }

    private void check(MediaItem item, URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!schemes.contains(scheme)) {
            throw MediaException.rejected(item, "scheme '" + scheme + "' is not allowed (courier.media.schemes="
                    + String.join(",", schemes) + ")");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!hostAllowed(host)) {
            throw MediaException.rejected(item, "host '" + host + "' is not in courier.media.allowed-hosts"
                    + (allowedHosts.isEmpty() ? " (none is set: list the hosts your media is served from)" : ""));
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw MediaException.unavailable(item, "host '" + host + "' does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address) && !allowedAddresses.contains(address)) {
                throw MediaException.rejected(item, "host '" + host + "' resolves to " + address.getHostAddress()
                        + ", a private, loopback or link-local address; only a listed address may be"
                        + " (courier.media.allowed-hosts)");
            }
        }
    }

    private boolean hostAllowed(String host) {
        if (host.isEmpty()) {
            return false;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowedHosts.contains(bare)) {
            return true;
        }
        if (isIpLiteral(bare) && !allowedAddresses.isEmpty()) {
            try {
                return allowedAddresses.contains(InetAddress.getByName(bare)); // a literal: no lookup
            } catch (UnknownHostException notAnAddress) {
                return false;
            }
        }
        return allowedHosts.stream().anyMatch(h -> h.startsWith("*.") && bare.endsWith(h.substring(1)));
    }

    /** Whether an address is on the public internet (not loopback, private, link-local, shared or reserved). */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 && first < 224 && !(first == 100 && (second & 0xc0) == 64) // 100.64/10, shared
                    && !(first == 198 && (second == 18 || second == 19)) // 198.18/15, benchmarking
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0); // 192.0.0/24, protocol assignments
        }
        boolean zeros96 = true; // ::/96, the IPv4-compatible addresses
        for (int i = 0; i < 12; i++) {
            zeros96 &= b[i] == 0;
        }
        return (b[0] & 0xfe) != 0xfc // fc00::/7, unique local
                && !zeros96
                && !(b[0] == 0x20 && b[1] == 0x02) // 2002::/16, 6to4: an IPv4 address inside
                && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) // 2001::/32, Teredo
                && !(b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b); // NAT64
    }

    /** IPv6 literals and dotted IPv4 ones; an all-digit name ("2130706433") is a name, not an address, here. */
    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** An IP literal as an address; getByName does no lookup for a literal. */
    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("courier.media.allowed-hosts: '" + host + "' is not an IP address", e);
        }
    }

    private static URI parse(MediaItem item, String url) {
        try {
            URI uri = new URI(url);
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw MediaException.rejected(item, "url '" + url + "' is not an absolute URL with a host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw MediaException.rejected(item, "url is not a valid URL (" + e.getReason() + ")");
        }
    }

    private Duration remaining(MediaItem item, Instant until) {
        Duration left = Duration.between(Instant.now(), until);
        if (left.isNegative() || left.isZero()) {
            throw MediaException.unavailable(item, "no answer within courier.media.read-timeout (" + deadline + ")");
        }
        return left;
    }

    private static String tooLarge(MediaItem item, String size, long maxBytes) {
        return item.kind().wireName() + " of " + size + ", over courier.media.max-" + item.kind().wireName()
                + "-bytes (" + maxBytes + ")";
    }

    private static void close(HttpResponse<InputStream> response) {
        close(response.body());
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing to end a read or drop a body: nothing more to do
        }
    }
}
