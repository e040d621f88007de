package dev.greenlight.api;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.AccessRule;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Bearer tokens of the API. Each {@code access} rule's token is read from the environment (or a file); a caller is
 * the rule whose token matches, compared in constant time. Refusals are audited.
 */
public final class ApiAuth {
    private record Credential(AccessRule rule, byte[] digest) {
    }

    private final List<Credential> credentials;
    private final AuditLog audit;

    public ApiAuth(GreenlightConfig config, Secrets secrets, AuditLog audit) {
        this.audit = audit;
        this.credentials = config.access().stream()
                .flatMap(rule -> secrets.get(rule.tokenEnv(), rule.tokenFile())
                        .map(token -> new Credential(rule, sha256(token))).stream())
                .toList();
    }

    /** The caller's access rule; 401 when the token is missing or unknown. */
    public AccessRule authenticate(String authorization, String source) {
        Optional<AccessRule> rule = Optional.empty();
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = sha256(authorization.substring(7).trim());
            for (Credential c : credentials) {
                // every credential is compared, so timing says nothing about which one matched
                if (MessageDigest.isEqual(given, c.digest()) && rule.isEmpty()) {
                    rule = Optional.of(c.rule());
                }
            }
        }
        return rule.orElseThrow(() -> {
            audit.record(AuditEvent.of("anonymous", "api.refused", "unauthorized").source(source)
                    .detail(authorization == null ? "no bearer token" : "unknown token"));
            return ApiError.unauthorized(authorization == null
                    ? "an Authorization: Bearer <token> header is required"
                    : "the bearer token is not valid").audited();
        });
    }

    /** 403 when the caller may not act on that environment. */
    public void authorize(AccessRule rule, String app, String environment, String action, String source) {
        if (!rule.allows(app, environment)) {
            audit.record(AuditEvent.of(rule.name(), action, "forbidden").target(app, environment, null).source(source)
                    .detail("token " + rule.name() + " may not act on " + app + "/" + environment));
            throw ApiError.forbidden("token " + rule.name() + " may not act on " + app + "/" + environment).audited();
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
