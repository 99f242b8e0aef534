package io.courier.linkedin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrnsTest {

    @ParameterizedTest
    @ValueSource(strings = {"urn:li:person:782bbtaQ", "urn:li:organization:5515715", "urn:li:share:7141138937766391808",
            "urn:li:ugcPost:123", "urn:li:person:a_b-C9"})
    void acceptsWellFormedUrns(String urn) {
        assertThat(Urns.isValid(urn)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"urn:li:organization:abc", "urn:li:share:x1", "urn:li:person:", "urn:li:group:1",
            "urn:li:person:a b", "urn%3Ali%3Aperson%3Aabc", "person:abc"})
    void rejectsMalformedUrns(String urn) {
        assertThat(Urns.isValid(urn)).isFalse();
    }

    @Test
    void namesTheFieldAndTheExpectedTypes() {
        assertThat(Urns.problem("author", "urn:li:share:1", Set.of("person", "organization")))
                .hasValueSatisfying(
                        p -> assertThat(p).startsWith("author must be a urn:li:organization or urn:li:person URN"));
        assertThat(Urns.problem("author", "urn:li:person:" + "a".repeat(250), Set.of("person"))).isPresent();
    }

    @Test
    void encodesAUrnFullyInAPathAndAQueryValue() {
        assertThat(Urns.encodePath("urn:li:share:123")).isEqualTo("urn%3Ali%3Ashare%3A123");
        assertThat(Urns.encodeQueryValue("urn:li:person:782bbtaQ")).isEqualTo("urn%3Ali%3Aperson%3A782bbtaQ");
    }

    @Test
    void keepsTheRestliListStructureLiteral() {
        assertThat(Urns.restliList(List.of("urn:li:organization:123", "urn:li:organization:456")))
                .isEqualTo("List(urn%3Ali%3Aorganization%3A123,urn%3Ali%3Aorganization%3A456)");
    }
}
