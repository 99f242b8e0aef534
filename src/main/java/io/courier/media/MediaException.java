package io.courier.media;

/**
 * A media item Courier could not take: {@link Kind#REJECTED} when the item itself breaks a rule (its host, its
 * type, its size: the job is INVALID_JOB and LinkedIn is never called), {@link Kind#UNAVAILABLE} when its server did
 * not give it (down, 5xx, too slow: worth a later try). The message names the item and the limit.
 */
public final class MediaException extends RuntimeException {

    public enum Kind {
        REJECTED, UNAVAILABLE
    }

    private final Kind kind;

    MediaException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    static MediaException rejected(MediaItem item, String why) {
        return new MediaException(Kind.REJECTED, item.field() + ": " + why);
    }

    static MediaException unavailable(MediaItem item, String why) {
        return new MediaException(Kind.UNAVAILABLE, item.field() + ": " + why);
    }

    public Kind kind() {
        return kind;
    }
}
