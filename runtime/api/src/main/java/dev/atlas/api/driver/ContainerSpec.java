package dev.atlas.api.driver;

import java.util.List;
import java.util.Map;

/**
 * One step of a job: an image and the command run in it. The local driver runs the command as a process and does
 * not use the image.
 *
 * @param name a DNS-1123 label unique in the job
 * @param image the container image
 * @param command the command and its arguments; never holds a secret (secrets are files)
 * @param env plain environment values; never holds a secret
 * @param resources requests and limits
 */
public record ContainerSpec(String name, String image, List<String> command, Map<String, String> env,
    Resources resources) {
}
