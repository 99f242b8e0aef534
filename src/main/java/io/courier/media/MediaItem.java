package io.courier.media;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** One entry of a post job's {@code media} (the schema checked its shape); {@code index} is its place in the list. */
public record MediaItem(int index, String url, Kind kind, Optional<String> altText, Optional<String> title) {

    public enum Kind {
        IMAGE, VIDEO, DOCUMENT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How messages name the item: the JSON path a producer can find it at. */
    public String field() {
        return "payload.media[" + index + "]";
    }

    /** The items of a post payload, in order; none when it has no media. */
    public static List<MediaItem> of(JsonNode payload) {
        List<MediaItem> items = new ArrayList<>();
        JsonNode media = payload.path("media");
        for (int i = 0; i < media.size(); i++) {
            JsonNode item = media.get(i);
            items.add(new MediaItem(i, item.path("url").asText(),
                    Kind.valueOf(item.path("kind").asText().toUpperCase(Locale.ROOT)),
                    Optional.ofNullable(item.path("altText").textValue()),
                    Optional.ofNullable(item.path("title").textValue())));
        }
        return items;
    }
}
