package dev.greenlight.api;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.RefusalLimiter;
import dev.greenlight.config.AccessRule;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.ApiErrors;
import dev.greenlight.http.RemoteAddress;
import dev.greenlight.store.Scope;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;

/**
 * Bearer tokens of the API. Each {@code access} rule's token is read from the environment (or a file); a caller is
 * the rule whose token matches, compared in constant time ({@link TokenMatcher}). Refusals are audited (those of unknown callers through
 * the refusal limiter). {@link #admit} is the first step of every API route: what a handler reads, the caller's
 * rule and the scope it may see, comes from there.
 */
public final class ApiAuth {
    /** Exchange property: the caller's {@link AccessRule}. */
    public static final String CALLER = "greenlightCaller";
    /** Exchange property: the caller's {@link Scope}, what its reads may show. */
    public static final String SCOPE = "greenlightScope";

    private record Credential(AccessRule rule, Scope scope) {
    }

    /** The tokens of one configuration: rebuilt, and the token files read again, once a reload has replaced it. */
    private record Tokens(GreenlightConfig config, TokenMatcher<Credential> matcher) {
    }

    private final CurrentConfig config;
    private final Secrets secrets;
    private final AtomicReference<Tokens> tokens;
    private final AuditLog audit;
    private final RefusalLimiter refusals;

    public ApiAuth(CurrentConfig config, Secrets secrets, AuditLog audit, RefusalLimiter refusals) {
        this.config = config;
        this.secrets = secrets;
        this.audit = audit;
        this.refusals = refusals;
        this.tokens = new AtomicReference<>(tokensOf(config.get()));
    }

    private TokenMatcher<Credential> tokens() {
        GreenlightConfig now = config.get();
        Tokens known = tokens.get();
        if (known.config() != now) {
            known = tokensOf(now);
            tokens.set(known);
        }
        return known.matcher();
    }

    private Tokens tokensOf(GreenlightConfig config) {
        return new Tokens(config, new TokenMatcher<>(config.access().stream()
                .flatMap(rule -> tokens(secrets, rule).stream()
                        .map(token -> TokenMatcher.known(new Credential(rule, scope(config, rule)), token)))
                .toList()));
    }

    /**
     * The rule's token values: one per variable that is set (two while a token is rotated), else the token file's.
     */
    private static List<String> tokens(Secrets secrets, AccessRule rule) {
        List<String> values = rule.tokenEnvs().stream().flatMap(v -> secrets.get(v, null).stream()).toList();
        return values.isEmpty() && rule.tokenFile() != null ? secrets.get(null, rule.tokenFile()).stream().toList() : values;
    }

    /**
     * A rule allowed on every configured environment sees everything, also what belongs to no environment (the
     * refusals of unknown callers); any other sees the apps and environments it may act on.
     */
    static Scope scope(GreenlightConfig config, AccessRule rule) {
        boolean everything = config.environments().allMatch(e -> rule.allows(e.app(), e.name()));
        if (everything) return Scope.EVERYTHING;
        return new Scope(rule.apps().isEmpty() ? null : rule.apps(), rule.environments());
    }

    /**
     * The first step of every API route: 429 while the client is blocked for too many refusals, 401 without a
     * valid token; then the caller's rule and scope are on the exchange.
     */
    public void admit(Exchange exchange) {
        String source = RemoteAddress.of(exchange);
        ApiError.requireAdmitted(refusals, source);
        Credential c = credential(exchange.getMessage().getHeader("Authorization", String.class), source);
        exchange.setProperty(ApiErrors.ACTOR, c.rule().name());
        exchange.setProperty(ApiErrors.AUTHENTICATED, true);
        exchange.setProperty(CALLER, c.rule());
        exchange.setProperty(SCOPE, c.scope());
    }

    /** The rule {@link #admit} found; a route without that step is a mistake, and fails closed. */
    public static AccessRule caller(Exchange exchange) {
        AccessRule rule = exchange.getProperty(CALLER, AccessRule.class);
        if (rule == null) throw new IllegalStateException("API route without the authentication step");
        return rule;
    }

    public static Scope scope(Exchange exchange) {
        caller(exchange);
        return exchange.getProperty(SCOPE, Scope.class);
    }

    /** The caller's access rule; 401 when the token is missing or unknown. */
    public AccessRule authenticate(String authorization, String source) {
        return credential(authorization, source).rule();
    }

    private Credential credential(String authorization, String source) {
        Optional<Credential> found = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? tokens().match(authorization.substring(7).trim()) : Optional.empty();
        return found.orElseThrow(() -> {
            refusals.refused(source, AuditEvent.of("anonymous", "api.refused", "unauthorized").source(source)
                    .detail(authorization == null ? "no bearer token" : "unknown token"));
            return ApiError.unauthorized(authorization == null
                    ? "an Authorization: Bearer <token> header is required"
                    : "the bearer token is not valid").audited();
        });
    }

    /** 403 unless the caller's rule has {@code role: admin}: fails closed, every other rule is refused. */
    public void requireAdmin(AccessRule rule, String action, String source) {
        if (!rule.admin()) {
            audit.record(AuditEvent.of(rule.name(), action, "forbidden").source(source)
                    .detail("token " + rule.name() + " is not an admin token (role: admin)"));
            throw ApiError.forbidden("token " + rule.name() + " may not do this: it needs role: admin").audited();
        }
    }

    /** 403 when the caller may not act on that environment. */
    public void authorize(AccessRule rule, String app, String environment, String action, String source) {
        if (!rule.allows(app, environment)) {
            audit.record(AuditEvent.of(rule.name(), action, "forbidden").target(app, environment, null).source(source)
                    .detail("token " + rule.name() + " may not act on " + app + "/" + environment));
            throw ApiError.forbidden("token " + rule.name() + " may not act on " + app + "/" + environment).audited();
        }
    }
}
