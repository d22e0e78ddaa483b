package dev.atlas.driver.kubernetes;

import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Makes the {@code kubernetes} driver, which runs each task as one {@code batch/v1} Job with a Secret and a
 * ConfigMap owned by it. See the module README for the RBAC Role it needs.
 *
 * <pre>
 * tasks:
 *   kubernetes:
 *     namespace: atlas-jobs            # required
 *     ttlSecondsAfterFinished: 3600
 *     activeDeadlineSeconds: 1800      # cap; a job gets min(its time limit, this)
 *     serviceAccountName: atlas-job
 *     imagePullSecrets: [registry-creds]
 *     nodeSelector: { pool: jobs }
 *     tolerations: [{ key: dedicated, operator: Equal, value: jobs, effect: NoSchedule }]
 *     masterUrl: https://kubernetes.default.svc   # optional
 *     runAsUser: 65532
 * </pre>
 */
@Extension
public class KubernetesDriverFactory implements DriverFactory {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Set<String> OPERATORS = Set.of("Equal", "Exists");
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    @Override
    public String id() {
        return "kubernetes";
    }

    @Override
    public Driver configure(ConfigSection section, Problems problems) {
        return new KubernetesDriver(settings(section, problems));
    }

    static KubernetesSettings settings(ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("namespace", "ttlSecondsAfterFinished", "activeDeadlineSeconds",
            "serviceAccountName", "imagePullSecrets", "nodeSelector", "tolerations", "masterUrl", "runAsUser"));
        String namespace = section.requiredString("namespace").orElse("");
        if (!namespace.isEmpty() && !DNS_LABEL.matcher(namespace).matches()) {
            problems.add(section.keyOf("namespace"), "must be a DNS-1123 label (a Kubernetes namespace name)");
        }
        long ttl = atLeast(section, "ttlSecondsAfterFinished", KubernetesSettings.DEFAULT_TTL_SECONDS, 0);
        long deadline = atLeast(section, "activeDeadlineSeconds",
            KubernetesSettings.DEFAULT_ACTIVE_DEADLINE_SECONDS, 1);
        long runAsUser = atLeast(section, "runAsUser", KubernetesSettings.DEFAULT_RUN_AS_USER, 1);
        Optional<String> serviceAccount = section.string("serviceAccountName");
        serviceAccount.filter(n -> !DNS_SUBDOMAIN.matcher(n).matches()).ifPresent(n ->
            problems.add(section.keyOf("serviceAccountName"), "must be a DNS-1123 subdomain"));
        List<String> pullSecrets = section.strings("imagePullSecrets");
        for (int i = 0; i < pullSecrets.size(); i++) {
            if (!DNS_SUBDOMAIN.matcher(pullSecrets.get(i)).matches()) {
                problems.add(section.keyOf("imagePullSecrets") + "[" + i + "]", "must be a Secret name");
            }
        }
        Map<String, String> nodeSelector = section.stringMap("nodeSelector");
        List<KubernetesSettings.TolerationSetting> tolerations = new ArrayList<>();
        for (ConfigSection t : section.sections("tolerations")) {
            t.allowOnly(Set.of("key", "operator", "value", "effect"));
            String operator = t.string("operator").orElse("Equal");
            if (!OPERATORS.contains(operator)) {
                problems.add(t.keyOf("operator"), "must be Equal or Exists");
            }
            String effect = t.string("effect").orElse("");
            if (!effect.isEmpty() && !EFFECTS.contains(effect)) {
                problems.add(t.keyOf("effect"), "must be NoSchedule, PreferNoSchedule or NoExecute");
            }
            tolerations.add(new KubernetesSettings.TolerationSetting(t.string("key").orElse(null), operator,
                t.string("value").orElse(null), effect.isEmpty() ? null : effect));
        }
        return new KubernetesSettings(namespace, ttl, deadline, serviceAccount, pullSecrets, nodeSelector,
            tolerations, section.url("masterUrl"), runAsUser);
    }

    private static long atLeast(ConfigSection section, String key, long fallback, long min) {
        long value = section.integer(key).orElse(fallback);
        if (value < min) {
            section.problems().add(section.keyOf(key), "must be at least " + min);
            return fallback;
        }
        return value;
    }
}
