package io.courier.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health, metrics and the published job schema, as Kubernetes, Prometheus and producers see them. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class ServiceEndpointsTest {

    @Test
    void readinessChecksKafkaRedisAndPostgres() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("kafka", "redis"))
                .body("checks.find { it.name.contains('Database') }.status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void servesTheJobSchemaForProducers() {
        given().get("/schemas/job.schema.json").then().statusCode(200)
                .body("title", equalTo("Courier job envelope"))
                .body("$defs.postCreate.properties.commentary.maxLength", equalTo(3000));
    }

    @Test
    void exposesPrometheusMetrics() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
    }
}
