package dev.greenlight.delivery;

import dev.greenlight.store.Filter;
import dev.greenlight.store.Scope;
import java.time.Instant;

/**
 * What a metrics read covers: the deployments triggered ({@code created_at}) from {@code from} to {@code to}, of
 * {@code app} and {@code environment} when given (null: any), within what {@code scope} may see.
 */
public record MetricsQuery(Scope scope, String app, String environment, Instant from, Instant to) {
    /** The conditions on the {@code deployments} table. */
    Filter deployments() {
        return matching().atLeast("created_at", from).atMost("created_at", to);
    }

    /** The conditions on the {@code deployment_days} table, for the UTC days from {@code first} to before {@code end}. */
    Filter days(long first, long end) {
        return matching().atLeast("utc_day", first).below("utc_day", end);
    }

    private Filter matching() {
        return scope.restrict(new Filter()).equal("app", app).equal("environment", environment);
    }
}
