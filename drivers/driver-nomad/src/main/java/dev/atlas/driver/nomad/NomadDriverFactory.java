package dev.atlas.driver.nomad;

import dev.atlas.api.Secret;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Makes the {@code nomad} driver, which registers one batch job per task over Nomad's HTTP API and keeps the
 * task's secrets in a Nomad Variable that only that job can read.
 *
 * <pre>
 * tasks:
 *   nomad:
 *     address: http://127.0.0.1:4646   # required
 *     token: ${env:NOMAD_TOKEN}        # required
 *     namespace: default
 *     region: global                   # optional
 *     datacenters: [dc1]
 *     driver: docker                   # docker, podman, containerd-driver; others need allowUnisolated
 *     runAsUser: 65532                 # default for docker/podman; unset for other drivers
 *     allowUnisolated: false           # true lets exec, raw_exec (any non-container driver) run the task's code
 * </pre>
 *
 * <p>The task's containers run code the cloud chose, next to the source (SPEC §6): a driver without container
 * isolation ({@code raw_exec} runs it as the Nomad client's user with the client's file system and network) is a
 * configuration problem on {@code tasks.nomad.driver} unless {@code tasks.nomad.allowUnisolated: true}.
 */
@Extension
public class NomadDriverFactory implements DriverFactory {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9_.]{0,127}");

    @Override
    public String id() {
        return "nomad";
    }

    @Override
    public Driver configure(ConfigSection section, Problems problems) {
        return new NomadDriver(settings(section, problems));
    }

    static NomadSettings settings(ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("address", "token", "namespace", "region", "datacenters", "driver", "runAsUser",
            "allowUnisolated"));
        Optional<URI> address = section.url("address");
        if (section.string("address").isEmpty()) {
            problems.add(section.keyOf("address"), "must not be empty");
        }
        // required even where ACLs are off (any value works there): a deployment without it is one config
        // change away from sending unauthenticated writes of secrets
        Secret token = section.requiredSecret("token").orElse(Secret.of(""));
        String namespace = checked(section, "namespace", NomadSettings.DEFAULT_NAMESPACE);
        Optional<String> region = section.string("region");
        region.filter(r -> !NAME.matcher(r).matches())
            .ifPresent(r -> problems.add(section.keyOf("region"), "must be a Nomad region name"));
        List<String> datacenters = section.strings("datacenters");
        if (section.keys().contains("datacenters") && datacenters.isEmpty()) {
            problems.add(section.keyOf("datacenters"), "must name at least one datacenter");
        }
        String driver = checked(section, "driver", NomadSettings.DEFAULT_TASK_DRIVER);
        boolean allowUnisolated = section.bool("allowUnisolated").orElse(false);
        if (!NomadSettings.CONTAINER_DRIVERS.contains(driver) && !allowUnisolated) {
            problems.add(section.keyOf("driver"), driver + " runs the task's code (the cloud's analyzers) without "
                + "container isolation, next to the client's files and network; use docker, podman or "
                + "containerd-driver, or set " + section.keyOf("allowUnisolated") + ": true to accept that");
        }
        Optional<Long> runAsUser = section.integer("runAsUser");
        runAsUser.filter(u -> u < 1).ifPresent(u ->
            problems.add(section.keyOf("runAsUser"), "must be a non-root uid (at least 1)"));
        NomadSettings partial = new NomadSettings(address.orElse(URI.create("http://127.0.0.1:4646")), token,
            namespace, region, datacenters.isEmpty() ? NomadSettings.DEFAULT_DATACENTERS : datacenters, driver,
            Optional.empty(), allowUnisolated);
        Optional<Long> user = runAsUser.isPresent() ? runAsUser
            : partial.runsImages() ? Optional.of(NomadSettings.DEFAULT_RUN_AS_USER) : Optional.empty();
        return new NomadSettings(partial.address(), token, namespace, region, partial.datacenters(), driver, user,
            allowUnisolated);
    }

    private static String checked(ConfigSection section, String key, String fallback) {
        String value = section.string(key).orElse(fallback);
        if (!NAME.matcher(value).matches()) {
            section.problems().add(section.keyOf(key), "must be a name of letters, digits, '-', '_' or '.'");
            return fallback;
        }
        return value;
    }
}
