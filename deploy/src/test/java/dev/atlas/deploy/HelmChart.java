package dev.atlas.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The chart in {@code deploy/helm/atlas}, rendered by the Helm that helm-java bundles, read back with fabric8. */
final class HelmChart {
    static final Path DEPLOY = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path CHART = DEPLOY.resolve("helm/atlas");
    static final Path EVERYTHING = DEPLOY.resolve("src/test/resources/helm/everything-values.yaml");
    static final Path DRIVER_ROLE = DEPLOY.resolve("../drivers/driver-kubernetes/src/main/resources/atlas/rbac/role.yaml")
        .normalize();
    static final Path LOGIN_STATE_ROLE = DEPLOY.resolve(
        "../runtime/identity/src/main/resources/atlas/rbac/login-state-role.yaml").normalize();
    static final String RELEASE = "atlas";
    static final String NAMESPACE = "atlas";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private HelmChart() {
    }

    /** {@code helm template atlas deploy/helm/atlas -n atlas [-f values] [--set k=v ...]}. */
    static String template(Optional<Path> values, Map<String, Object> sets) {
        TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        values.ifPresent(command::withValuesFile);
        sets.forEach(command::set);
        return command.call();
    }

    /**
     * The chart test pod ({@code templates/tests/}) as rendered with {@code sets}. helm-java renders no hooks, so
     * the chart is copied with the test's hook annotation taken out, which makes it a plain object of the manifest.
     */
    static List<HasMetadata> testHooks(KubernetesClient client, Map<String, Object> sets) {
        try {
            Path copy = Files.createTempDirectory("atlas-chart");
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(CHART.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.writeString(target, Files.readString(file)
                            .replace("helm.sh/hook: test", "atlas.dev/was-hook: test"));
                    }
                }
            }
            TemplateCommand command = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
            sets.forEach(command::set);
            return load(client, command.call()).stream().filter(o -> o.getMetadata().getAnnotations() != null
                && "test".equals(o.getMetadata().getAnnotations().get("atlas.dev/was-hook"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every object of a rendered manifest, as fabric8 reads it. */
    static List<HasMetadata> load(KubernetesClient client, String manifest) {
        return client.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
    }

    static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = ofKind(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The one object of {@code type} named {@code name}. */
    static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = ofKind(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    static StatefulSet statefulSet(List<HasMetadata> objects) {
        return one(objects, StatefulSet.class);
    }

    /** The atlas.yaml the chart's ConfigMap carries, parsed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> atlasYaml(List<HasMetadata> objects) {
        return parse(atlasYamlText(objects));
    }

    static String atlasYamlText(List<HasMetadata> objects) {
        return one(objects, ConfigMap.class).getData().get("atlas.yaml");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String yaml) {
        try {
            return YAML.readValue(yaml, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value at a dotted path of a parsed YAML tree ({@code server.port}). */
    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> tree, String path) {
        Object node = tree;
        for (String key : path.split("\\.")) {
            node = node instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(key) : null;
        }
        return node;
    }
}
