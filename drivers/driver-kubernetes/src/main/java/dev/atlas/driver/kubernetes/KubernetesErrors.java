package dev.atlas.driver.kubernetes;

import dev.atlas.api.driver.DriverException;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Maps API server failures to what the cloud is told. Messages name the object and the HTTP code only: the
 * API server's own message may quote the request, and a request may carry secret data.
 */
final class KubernetesErrors {
    private KubernetesErrors() {
    }

    static DriverException map(String what, KubernetesClientException e) {
        return map(what, e, true);
    }

    /**
     * As {@link #map(String, KubernetesClientException)}; without the cause when the request carried secrets, so
     * not even a stack trace in a log can quote what the API server echoed back.
     */
    static DriverException map(String what, KubernetesClientException error, boolean keepCause) {
        int code = error.getCode();
        KubernetesClientException e = keepCause ? error : null;
        return switch (code) {
            case 400, 422 -> new DriverException(DriverException.Kind.REJECTED,
                "the API server refused the " + what + " as invalid (HTTP " + code + ")", e);
            case 413 -> new DriverException(DriverException.Kind.TOO_LARGE,
                "the API server refused the " + what + " as too large", e);
            case 0 -> new DriverException(DriverException.Kind.UNAVAILABLE,
                "the API server cannot be reached (" + what + ")", e);
            default -> new DriverException(DriverException.Kind.UNAVAILABLE,
                "the API server failed the " + what + " (HTTP " + code + ")", e);
        };
    }

    static boolean isConflict(KubernetesClientException e) {
        return e.getCode() == 409;
    }

    static boolean isNotFound(KubernetesClientException e) {
        return e.getCode() == 404;
    }
}
