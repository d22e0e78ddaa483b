package dev.atlas.api.driver;

/** Whether a driver's backend is reachable, with a detail for the readiness report (never a secret). */
public record DriverHealth(boolean up, String detail) {
    public static DriverHealth up(String detail) {
        return new DriverHealth(true, detail);
    }

    public static DriverHealth down(String detail) {
        return new DriverHealth(false, detail);
    }
}
