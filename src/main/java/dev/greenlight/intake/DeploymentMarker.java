package dev.greenlight.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The mark the GitHub deployments mirror puts in the {@code payload} of every deployment it creates,
 * {@code {"greenlight": {"deploymentId": 42, "mark": "<hex>"}}}, so that the {@code deployment} event GitHub then sends
 * back is known as this instance's own and deploys nothing (no loop). The mark is the HMAC-SHA256, keyed with the
 * webhook secret, of {@code greenlight-deployment:<id>}: only who holds the secret can make it (another Greenlight
 * with another secret mirroring into the same repository is not mistaken for this one), and it is compared in
 * constant time. Without a webhook secret no mark is made, and every delivery is refused anyway.
 */
public final class DeploymentMarker {
    static final String FIELD = "greenlight";
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] secret;

    public DeploymentMarker(Optional<String> webhookSecret) {
        this.secret = webhookSecret.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** The {@code greenlight} field for the payload of the GitHub deployment mirroring {@code deploymentId}. */
    public Map<String, Object> payloadField(long deploymentId) {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("deploymentId", deploymentId);
        if (secret != null) marker.put("mark", HEX.formatHex(mark(deploymentId)));
        return Map.of(FIELD, marker);
    }

    /** The Greenlight deployment a payload's {@code greenlight} object names, if its mark is this instance's. */
    Optional<Long> own(JsonNode marker) {
        JsonNode id = marker.path("deploymentId");
        JsonNode mark = marker.path("mark");
        if (secret == null || !id.isIntegralNumber() || !id.canConvertToLong() || !mark.isTextual()) {
            return Optional.empty();
        }
        byte[] given;
        try {
            given = HEX.parseHex(mark.textValue());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return MessageDigest.isEqual(mark(id.asLong()), given) ? Optional.of(id.asLong()) : Optional.empty();
    }

    private byte[] mark(long deploymentId) {
        return WebhookSignature.hmac(secret, ("greenlight-deployment:" + deploymentId).getBytes(StandardCharsets.UTF_8));
    }
}
