package io.courier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CLI's one JSON mapper. The commands run before Quarkus starts ({@link CourierMain} dispatches them and exits
 * without booting the service), so there is no CDI container and no Quarkus ObjectMapper bean to inject.
 */
final class CliJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private CliJson() {}
}
