package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.http.Json;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mark on the mirror's GitHub deployments: only this instance's secret makes one that is taken as its own. */
class DeploymentMarkerTest {
    private final DeploymentMarker marker = new DeploymentMarker(Optional.of("the-webhook-secret-0123"));

    private static ObjectNode greenlightField(DeploymentMarker m, long id) {
        return (ObjectNode) Json.MAPPER.valueToTree(m.payloadField(id)).get("greenlight");
    }

    @Test
    void itsOwnMarkNamesTheDeployment() {
        assertThat(marker.own(greenlightField(marker, 42))).contains(42L);
    }

    @Test
    void aMarkForAnotherIdAnotherSecretOrNoneIsNotItsOwn() {
        ObjectNode moved = greenlightField(marker, 42).put("deploymentId", 43);
        assertThat(marker.own(moved)).isEmpty();
        DeploymentMarker other = new DeploymentMarker(Optional.of("another-instance-secret"));
        assertThat(marker.own(greenlightField(other, 42))).isEmpty();
        ObjectNode unmarked = greenlightField(marker, 42);
        unmarked.remove("mark");
        assertThat(marker.own(unmarked)).isEmpty();
        assertThat(marker.own(greenlightField(marker, 42).put("mark", "not hex"))).isEmpty();
        assertThat(marker.own(Json.MAPPER.missingNode())).isEmpty();
    }

    @Test
    void withoutASecretNothingIsMarkedOrOwn() {
        DeploymentMarker none = new DeploymentMarker(Optional.empty());
        JsonNode field = greenlightField(none, 42);
        assertThat(field.has("mark")).isFalse();
        assertThat(none.own(field)).isEmpty();
    }
}
