package dev.greenlight.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import dev.greenlight.testing.DeploymentsApi;
import dev.greenlight.testing.OpenSshHosts;
import dev.greenlight.testing.RequiredPackage;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blue-green release and a bad one rolled back with its database restored, against the real things: a real OpenSSH
 * server ({@link OpenSshHosts}, an unprivileged account), a real nginx with the shipped {@code greenlight.conf} in
 * front of the host's two colours, the shipped {@code examples/nginx/greenlight-switch} run over SSH by that account
 * (nginx runs as it too, as the switch must signal it), and the app's database backed up and restored with the real
 * {@code pg_dump -Fc} / {@code pg_restore} as that account, on a scratch PostgreSQL database.
 */
class OpenSshBlueGreenTest {
    private static final String TOKEN = "e2e-token-7a21fe";
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    @TempDir
    Path dir;
    private OpenSshHosts hosts;
    private Colours colours;
    private Nginx nginx;
    private TestDatabase db;
    private TestGreenlight app;
    private DeploymentsApi api;
    private String database;

    @BeforeEach
    void start() throws Exception {
        RequiredPackage.require("pg_dump", "postgresql-client");
        hosts = OpenSshHosts.start(dir.resolve("e2e"), 1);
        Path host = hosts.hostDir(1);
        colours = new Colours(colour -> ProxiedBlueGreen.colourApp(host, colour));
        nginx = Nginx.startAs(OpenSshHosts.ACCOUNT, dir.resolve("e2e/nginx"), Colours.port(colours.blue));
        database = "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql("test", "create database " + database);
        sql(database, "create table notes (id serial primary key, note text not null)");
        Path dumps = hosts.accountDir(1, "dumps");
        String settings = nginx.switchEnvironment().entrySet().stream().map(e -> e.getKey() + "='" + e.getValue() + "'")
                .sorted().collect(Collectors.joining(" "));
        String cd = "cd " + hosts.commandDir() + "/{{host}}";
        String yaml = """
                access:
                  - name: ci
                    token-env: TEST_TOKEN
                    environments: [production]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      production:
                        strategy: blue-green
                        hosts: [%s]
                        ssh: %s
                        colors:
                          blue: { port: %d }
                          green: { port: %d }
                        commands:
                          deploy: "%s && mkdir -p {{color}} && echo {{version}} > {{color}}/version && touch {{color}}/running"
                          switch: "%s %s {{color}} {{port}}"
                          stop: "%s && rm -f {{color}}/running"
                          backup: "pg_dump -Fc -h 127.0.0.1 -U postgres -f %s/{{backup}}.dump %s"
                          restore: "pg_restore --clean --if-exists -h 127.0.0.1 -U postgres -d %s %s/{{backup}}.dump"
                        health:
                          url: "http://127.0.0.1:{{port}}"
                          live-url: "http://127.0.0.1:%d"
                          paths: [/health]
                          attempts: 5
                          interval: 200ms
                          timeout: 2s
                        watch: { duration: 8s, interval: 200ms, max-errors: 3, errors-path: /health/errors }
                        keep-previous: 10m
                """.formatted(hosts.hostList().get(0), hosts.sshYaml(), Colours.port(colours.blue),
                Colours.port(colours.green), cd, settings,
                Path.of("examples/nginx/greenlight-switch").toAbsolutePath(), cd, dumps, database, database, dumps,
                nginx.port);
        Path config = Files.writeString(dir.resolve("greenlight.yaml"), yaml);
        db = TestDatabase.create();
        app = TestGreenlight.start(config, db, Map.of("TEST_TOKEN", TOKEN), Map.of("greenlight.color-stops.period", "200"));
        api = new DeploymentsApi(app, TOKEN, "shop", "production");
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) app.close();
        if (nginx != null) nginx.close();
        if (colours != null) colours.close();
        if (hosts != null) hosts.close();
        if (database != null) sql("test", "drop database if exists " + database + " with (force)");
    }

    @Test
    void aReleaseSwitchesThroughNginxAndABadOneIsRolledBackWithItsDatabaseRestored() throws Exception {
        JsonNode first = awaitEnd(api.deploy("1.0.0"));
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("succeeded");
        sql(database, "insert into notes (note) values ('written by 1.0.0')");
        JsonNode good = awaitEnd(api.deploy("2.0.0"));
        assertThat(good.get("status").asText()).as(good.toString()).isEqualTo("succeeded");
        assertThat(colours.answers(nginx.port, 10)).containsOnly("200 green 2.0.0");
        sql(database, "insert into notes (note) values ('written by 2.0.0')");

        long bad = api.deploy("3.0.0");
        // the release took traffic and the watch has read its baseline; then it writes, and its errors rise
        await().atMost(Duration.ofSeconds(60)).until(() -> !DeploymentsApi.steps(api.deployment(bad), "watch").isEmpty());
        sql(database, "insert into notes (note) values ('written by 3.0.0')");
        Files.writeString(hosts.hostDir(1).resolve("bad-3.0.0"), "");
        JsonNode d = awaitEnd(bad);

        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("rolled_back");
        assertThat(colours.answers(nginx.port, 10)).containsOnly("200 green 2.0.0");
        assertThat(notes()).containsExactly("written by 1.0.0", "written by 2.0.0");
        String setAside = d.get("blueGreen").get("setAsideName").asText();
        Path dump = hosts.hostDir(1).resolve("dumps").resolve(setAside + ".dump");
        assertThat(dump).exists();
        assertThat(Files.readAllBytes(dump)).startsWith("PGDMP".getBytes());
        assertThat(app.get("/api/v1/deployments/" + bad + "/incident", TOKEN).body()).contains("3.0.0", setAside);
    }

    private List<String> notes() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(SERVER + database, "postgres", "");
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("select note from notes order by id")) {
            while (r.next()) out.add(r.getString(1));
        }
        return out;
    }

    private static void sql(String db, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER + db, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private JsonNode awaitEnd(long id) {
        return api.awaitEnd(id, Duration.ofSeconds(120));
    }
}
