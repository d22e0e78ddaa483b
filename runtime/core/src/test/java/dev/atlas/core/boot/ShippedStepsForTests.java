package dev.atlas.core.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for the duties in the host's own tests, where no duty jar is on the class path: declares every step the
 * shipped routes name, read from the route files themselves, so the route checker and {@code atlas check} see the
 * shipped routes as valid. Binds nothing. Kept out of the host's test-jar (the duties' and the gateway's tests load
 * the real duties).
 */
public final class ShippedStepsForTests implements ApplicationModule {
    private static final Pattern REF = Pattern.compile("ref:\\s*([A-Za-z0-9_]+)");

    @Override
    public String id() {
        return "shipped-steps-for-tests";
    }

    @Override
    public Set<String> steps() {
        Set<String> names = new HashSet<>();
        for (String file : read("routes/index.txt").lines().map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            Matcher ref = REF.matcher(read("routes/" + file));
            while (ref.find()) {
                names.add(ref.group(1));
            }
        }
        names.removeAll(RouteGuards.HOST_NAMES);
        return Set.copyOf(names);
    }

    private static String read(String resource) {
        try (InputStream in = ShippedStepsForTests.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no " + resource + " on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void configure(ModuleContext context) {
        // binds nothing: the host's tests never start a gateway
    }
}
