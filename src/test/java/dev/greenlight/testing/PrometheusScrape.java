package dev.greenlight.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The management server's Prometheus scrape ({@code /observe/metrics}) and its samples' values. */
public record PrometheusScrape(int status, String body) {

    public static PrometheusScrape of(int managementPort) throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new PrometheusScrape(answer.statusCode(), answer.body());
    }

    /** The sample's value in Prometheus' text format; fails when the sample is missing. */
    public double value(String sample) {
        return body.lines().filter(l -> l.startsWith(sample + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(sample + " is not in the scrape:\n" + body.lines()
                        .filter(l -> l.startsWith("greenlight_")).reduce("", (a, b) -> a + b + "\n")));
    }
}
