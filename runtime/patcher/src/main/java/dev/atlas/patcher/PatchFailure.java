package dev.atlas.patcher;

/**
 * Ends a patch run early with a definite status. The detail is shown to the cloud, so it must never contain a
 * secret; {@link PatchCommand} still passes it through the {@link Redactor} as a last line of defence.
 */
public final class PatchFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Status status;

    public PatchFailure(Status status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /** An invalid or missing task field; the detail starts with the field's path. */
    public static PatchFailure invalidField(String field, String problem) {
        return new PatchFailure(Status.ERROR, field + ": " + problem);
    }

    /** A patch that is refused or does not apply. */
    public static PatchFailure patchFailed(String detail) {
        return new PatchFailure(Status.PATCH_FAILED, detail);
    }
}
