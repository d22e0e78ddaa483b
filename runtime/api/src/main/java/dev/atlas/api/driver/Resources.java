package dev.atlas.api.driver;

/** CPU and memory for a container, as Kubernetes quantities ({@code 500m}, {@code 1Gi}); already validated. */
public record Resources(String cpu, String memory) {
}
