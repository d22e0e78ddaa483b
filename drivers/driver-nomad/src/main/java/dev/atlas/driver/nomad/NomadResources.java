package dev.atlas.driver.nomad;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts Kubernetes resource quantities (what tasks carry) into Nomad's units.
 *
 * <p>CPU: Nomad reserves CPU in MHz, Kubernetes in cores. One core is counted as 1000 MHz, so {@code 1000m} (one
 * core) becomes {@code CPU: 1000} and {@code 250m} becomes {@code 250}: a conservative figure on any current CPU,
 * and the one that reads the same on both backends. At least 1 MHz. Memory: bytes rounded up to whole MiB
 * ({@code MemoryMB}), at least 10, Nomad's minimum.
 */
final class NomadResources {
    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([a-zA-Z]*)");
    private static final Map<String, BigDecimal> MEMORY_UNITS = Map.ofEntries(
        Map.entry("", BigDecimal.ONE),
        Map.entry("k", BigDecimal.valueOf(1000L)),
        Map.entry("M", BigDecimal.valueOf(1000L * 1000)),
        Map.entry("G", BigDecimal.valueOf(1000L * 1000 * 1000)),
        Map.entry("T", BigDecimal.valueOf(1000L * 1000 * 1000 * 1000)),
        Map.entry("Ki", BigDecimal.valueOf(1024L)),
        Map.entry("Mi", BigDecimal.valueOf(1024L * 1024)),
        Map.entry("Gi", BigDecimal.valueOf(1024L * 1024 * 1024)),
        Map.entry("Ti", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024)));
    private static final BigDecimal MIB = BigDecimal.valueOf(1024L * 1024);
    static final int DEFAULT_CPU_MHZ = 100;
    static final int DEFAULT_MEMORY_MB = 300;
    static final int MIN_MEMORY_MB = 10;

    private NomadResources() {
    }

    /** MHz for a CPU quantity ({@code 500m}, {@code 2}, {@code 1.5}); the default when absent. */
    static int cpuMhz(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            return DEFAULT_CPU_MHZ;
        }
        Matcher m = parse(quantity);
        BigDecimal millicores = switch (m.group(2)) {
            case "m" -> new BigDecimal(m.group(1));
            case "" -> new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1000));
            default -> throw new IllegalArgumentException("not a CPU quantity: " + quantity);
        };
        return Math.max(1, millicores.setScale(0, RoundingMode.CEILING).intValueExact());
    }

    /** MiB for a memory quantity ({@code 64Mi}, {@code 1Gi}, {@code 500M}); the default when absent. */
    static int memoryMb(String quantity) {
        if (quantity == null || quantity.isBlank()) {
            return DEFAULT_MEMORY_MB;
        }
        Matcher m = parse(quantity);
        BigDecimal unit = MEMORY_UNITS.get(m.group(2));
        if (unit == null) {
            throw new IllegalArgumentException("not a memory quantity: " + quantity);
        }
        BigDecimal mib = new BigDecimal(m.group(1)).multiply(unit).divide(MIB, 0, RoundingMode.CEILING);
        return Math.max(MIN_MEMORY_MB, mib.intValueExact());
    }

    private static Matcher parse(String quantity) {
        Matcher m = QUANTITY.matcher(quantity.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a quantity: " + quantity);
        }
        return m;
    }
}
