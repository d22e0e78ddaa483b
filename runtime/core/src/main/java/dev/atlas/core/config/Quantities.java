package dev.atlas.core.config;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities as tasks and {@code tasks.resources} give them: CPU as cores or millicores
 * ({@code 2}, {@code 0.5}, {@code 500m}), memory as bytes with a decimal or binary suffix ({@code 512Mi},
 * {@code 1Gi}, {@code 500M}). Only these plain forms are accepted: the exponent form ({@code 1e3}), signs and
 * fractional millicores are refused, because every backend (Kubernetes, Nomad, the local driver) must read the value
 * the same way, and Nomad's conversion knows only the plain forms.
 */
public final class Quantities {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,12}(?:\\.[0-9]{1,9})?)([A-Za-z]{0,2})");
    private static final Map<String, BigDecimal> MEMORY_UNITS = Map.ofEntries(
        Map.entry("", BigDecimal.ONE),
        Map.entry("k", BigDecimal.TEN.pow(3)),
        Map.entry("M", BigDecimal.TEN.pow(6)),
        Map.entry("G", BigDecimal.TEN.pow(9)),
        Map.entry("T", BigDecimal.TEN.pow(12)),
        Map.entry("P", BigDecimal.TEN.pow(15)),
        Map.entry("E", BigDecimal.TEN.pow(18)),
        Map.entry("Ki", BigDecimal.valueOf(2).pow(10)),
        Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
        Map.entry("Gi", BigDecimal.valueOf(2).pow(30)),
        Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
        Map.entry("Pi", BigDecimal.valueOf(2).pow(50)),
        Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private Quantities() {
    }

    /**
     * The amount a quantity stands for (cores for CPU, bytes for memory), or empty when {@code text} is not a
     * positive quantity of that kind.
     */
    public static Optional<BigDecimal> parse(String text, boolean cpu) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2);
        BigDecimal amount;
        if (cpu) {
            if (suffix.equals("m")) {
                if (number.stripTrailingZeros().scale() > 0) {
                    return Optional.empty(); // Kubernetes has no unit below a millicore
                }
                amount = number.divide(THOUSAND);
            } else if (suffix.isEmpty()) {
                amount = number;
            } else {
                return Optional.empty();
            }
        } else {
            BigDecimal unit = MEMORY_UNITS.get(suffix);
            if (unit == null) {
                return Optional.empty();
            }
            amount = number.multiply(unit);
        }
        return amount.signum() > 0 ? Optional.of(amount) : Optional.empty();
    }
}
