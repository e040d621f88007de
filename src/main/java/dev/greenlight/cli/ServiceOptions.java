package dev.greenlight.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Which Greenlight a command talks to and as whom. The token comes from {@code GREENLIGHT_TOKEN} or a file, never
 * from an argument, so it shows neither in the shell's history nor in the process list.
 */
final class ServiceOptions {
    static final String URL_VARIABLE = "GREENLIGHT_URL";
    static final String TOKEN_VARIABLE = "GREENLIGHT_TOKEN";
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(names = "--url", paramLabel = "URL",
            description = "Greenlight's address (default: $GREENLIGHT_URL, else " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "read the API token from FILE (default: $GREENLIGHT_TOKEN)")
    Path tokenFile;

    @Option(names = "--json", description = "print the API's JSON answer instead of text")
    boolean json;

    /** The service's base address: absolute http(s), no query, no trailing slash. */
    URI baseUrl(UnaryOperator<String> env) {
        String raw = url != null ? url : present(env.apply(URL_VARIABLE)) ? env.apply(URL_VARIABLE) : DEFAULT_URL;
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw CliFailure.usage("the Greenlight URL " + raw + " is not a URL: " + e.getReason());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
            throw CliFailure.usage("the Greenlight URL " + raw + " must be http:// or https://, a host, an optional "
                    + "port and path, without query or user");
        }
        String text = uri.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    String token(UnaryOperator<String> env) {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                throw CliFailure.usage("cannot read the token file " + tokenFile + ": " + e.getMessage());
            }
            if (token.isEmpty()) throw CliFailure.usage("the token file " + tokenFile + " is empty");
        } else {
            token = env.apply(TOKEN_VARIABLE);
            if (!present(token)) {
                throw CliFailure.usage("no API token: set " + TOKEN_VARIABLE + " or give --token-file FILE");
            }
            token = token.strip();
        }
        // a token is sent as a header: a line break in it would end the header early
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw CliFailure.usage("the API token holds a character an HTTP header cannot carry (a space, a line "
                    + "break or a non-ASCII letter)");
        }
        return token;
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
