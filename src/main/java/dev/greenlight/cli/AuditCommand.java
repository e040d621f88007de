package dev.greenlight.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = {"Print the audit trail of the environments the token may act on: as the "
        + "trail document (markdown or csv, one row per deployment) or as the API's entries (json).",
        "Calls GET /api/v1/audit."})
final class AuditCommand extends ApiCommand {
    /** The formats of {@code GET /api/v1/audit}, with the type each answers in. */
    enum Format {
        markdown("text/markdown"), csv("text/csv"), json("application/json");

        final String mediaType;

        Format(String mediaType) {
            this.mediaType = mediaType;
        }
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "markdown",
            description = "markdown, csv or json (default: ${DEFAULT-VALUE}; --json is --format json)")
    Format format;

    @Option(names = "--app", paramLabel = "APP", description = "only this app")
    String app;

    @Option(names = "--environment", paramLabel = "ENV", description = "only this environment")
    String environment;

    @Option(names = "--since", paramLabel = "TIME",
            description = "only from TIME on (ISO-8601, e.g. 2026-12-01T00:00:00Z)")
    String since;

    @Option(names = "--limit", paramLabel = "N", description = "at most N rows (1 to 500; the API's default: 50)")
    Integer limit;

    @Option(names = "--before", paramLabel = "ID", description = "the next page: only what is older than ID, the "
            + "nextBefore of the page before (an entry's id with --json; a deployment's for markdown and csv)")
    Long before;

    @Override
    Exit run(ApiClient api) {
        Format chosen = json() ? Format.json : format;
        if (json() && format != Format.json && spec.commandLine().getParseResult().hasMatchedOption("--format")) {
            throw CliFailure.usage("--json and --format " + format + " ask for two formats: give one");
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("format", chosen.name());
        if (app != null) query.put("app", app);
        if (environment != null) query.put("environment", environment);
        if (since != null) query.put("since", since);
        if (limit != null) query.put("limit", limit.toString());
        if (before != null) query.put("before", before.toString());
        String body = api.get("/audit?" + query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")), chosen.mediaType);
        out().print(body.endsWith("\n") ? body : body + "\n");
        return Exit.OK;
    }
}
