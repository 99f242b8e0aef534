package io.courier.linkedin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.OptionalInt;

/** One page of a LinkedIn collection ({@code elements} + {@code paging}). */
public record Page(List<JsonNode> elements, int start, int count, OptionalInt total) {

    public Page {
        elements = List.copyOf(elements);
    }

    /** The end is a page with fewer elements than asked for (linkedin-api.md §5), or the reported total. */
    public boolean isLast(int requestedCount) {
        return elements.size() < requestedCount
                || total.isPresent() && start + elements.size() >= total.getAsInt();
    }
}
