package dev.atlas.core.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code outbound.proxy.noProxy}: which hosts Atlas reaches directly. An entry is {@code *} (everything), a host
 * name (that host and its subdomains, as curl reads it), {@code .suffix} or {@code *.suffix} (the same), an IP
 * address, or a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}). Ranges match only hosts written as IP
 * addresses: names are never resolved here, because the proxy resolves them (split-horizon DNS) and a lookup per
 * call would cost a round trip.
 */
public final class NoProxyRules {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

    private final List<String> entries;
    private final boolean everything;
    private final List<String> domains = new ArrayList<>();
    private final List<Range> ranges = new ArrayList<>();

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    /** @throws IllegalArgumentException naming the first entry that is none of the accepted shapes */
    public NoProxyRules(List<String> entries) {
        this.entries = List.copyOf(entries);
        boolean all = false;
        for (String raw : entries) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            problem(entry).ifPresent(p -> {
                throw new IllegalArgumentException(p);
            });
            if (entry.equals("*")) {
                all = true;
            } else if (entry.contains("/") || isAddress(entry)) {
                ranges.add(range(entry));
            } else {
                domains.add(entry.replaceFirst("^\\*?\\.", ""));
            }
        }
        this.everything = all;
    }

    /** Why {@code entry} is not a valid noProxy entry, or empty when it is. */
    public static Optional<String> problem(String entry) {
        String e = entry.trim().toLowerCase(Locale.ROOT);
        if (e.equals("*")) {
            return Optional.empty();
        }
        if (e.contains("/")) {
            String[] parts = e.split("/", -1);
            if (parts.length != 2 || !isAddress(parts[0]) || !parts[1].matches("\\d{1,3}")) {
                return Optional.of("'" + entry + "' is not a CIDR range (like 10.0.0.0/8 or fd00::/8)");
            }
            int max = address(parts[0]).length * 8;
            if (Integer.parseInt(parts[1]) > max) {
                return Optional.of("'" + entry + "' has a prefix longer than " + max + " bits");
            }
            return Optional.empty();
        }
        if (isAddress(e)) {
            return Optional.empty();
        }
        String name = e.replaceFirst("^\\*?\\.", "");
        if (!NAME.matcher(name).matches()) {
            return Optional.of("'" + entry + "' is not a host name, .suffix, IP address or CIDR range");
        }
        return Optional.empty();
    }

    /** True when {@code host} (a URL's host, IPv6 with or without brackets) is reached without the proxy. */
    public boolean bypasses(String host) {
        if (everything) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (isAddress(h)) {
            byte[] address = address(h);
            return ranges.stream().anyMatch(r -> r.contains(address));
        }
        for (String domain : domains) {
            if (h.equals(domain) || h.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
    }

    private static Range range(String entry) {
        String[] parts = entry.split("/", 2);
        byte[] network = address(parts[0]);
        int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
        return new Range(network, bits);
    }

    private static boolean isAddress(String text) {
        return IPV4.matcher(text).matches() && validV4(text) || text.contains(":") && address(text) != null;
    }

    private static boolean validV4(String text) {
        for (String octet : text.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of an IP literal (no DNS lookup: only literals reach here), or null. */
    private static byte[] address(String literal) {
        if (!IPV4.matcher(literal).matches() && !literal.contains(":")) {
            return null;
        }
        if (literal.contains(":") && !literal.matches("[0-9a-f:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
