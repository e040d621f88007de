package dev.greenlight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The deployment configuration most service tests run against: app {@code shop} from {@code acme/shop} with
 * {@code staging} (push to main), {@code production} (published releases) and {@code qa} (manual only), app
 * {@code blog} from {@code acme/blog} and {@code docs} from {@code acme/docs} (each with a push-triggered
 * {@code staging}), and two API clients: {@code deployer} (every environment) and {@code ci}
 * (staging only). Hosts are loopback addresses on a closed port, so nothing is ever reached.
 */
public final class TestConfig {
    public static final String WEBHOOK_SECRET = "whsec-for-tests-0123456789";
    public static final String DEPLOYER_TOKEN = "tok-deployer-7f3a9c";
    public static final String CI_TOKEN = "tok-ci-41b2d8";
    public static final String REPOSITORY = "acme/shop";
    public static final String BRANCH = "main";

    public static final String YAML = """
            access:
              - name: deployer
                token-env: TOKEN_DEPLOYER
                environments: [staging, production, qa]
              - name: ci
                token-env: TOKEN_CI
                environments: [staging]
            apps:
              shop:
                repository: acme/shop
                environments:
                  staging:
                    trigger: { push: main }
                    version: "sha-{{sha7}}"
                    hosts: ["127.0.0.1:9"]
                    ssh: { user: deploy, key-file: keys/staging, known-hosts: keys/known_hosts }
                    commands:
                      deploy: "echo {{version}}"
                  production:
                    trigger: { release: published }
                    strategy: blue-green
                    hosts: ["127.0.0.2:9"]
                    ssh: { user: deploy, key-file: keys/production, known-hosts: keys/known_hosts }
                    colors: { blue: { port: 8081 }, green: { port: 8082 } }
                    commands:
                      deploy: "echo {{version}} {{color}} {{port}}"
                      switch: "echo {{color}}"
                      stop: "echo {{color}}"
                    health: { url: "http://{{host}}:{{port}}", paths: [/health] }
                  qa:
                    hosts: ["127.0.0.3:9"]
                    ssh: { user: deploy, key-file: keys/qa, known-hosts: keys/known_hosts }
                    commands:
                      deploy: "echo {{version}}"
              blog:
                repository: acme/blog
                environments:
                  staging:
                    trigger: { push: main }
                    hosts: ["127.0.0.4:9"]
                    ssh: { user: deploy, key-file: keys/blog, known-hosts: keys/known_hosts }
                    commands:
                      deploy: "echo {{version}}"
              docs:
                repository: acme/docs
                environments:
                  staging:
                    trigger: { push: main }
                    hosts: ["127.0.0.5:9"]
                    ssh: { user: deploy, key-file: keys/docs, known-hosts: keys/known_hosts }
                    commands:
                      deploy: "echo {{version}}"
            """;

    private TestConfig() {
    }

    /** Writes the configuration into {@code dir} and returns its path. */
    public static Path write(Path dir) {
        return write(dir, YAML);
    }

    public static Path write(Path dir, String yaml) {
        try {
            Path file = dir.resolve("greenlight.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process environment an operator would set: the webhook secret and both API tokens. */
    public static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("GREENLIGHT_WEBHOOK_SECRET", WEBHOOK_SECRET);
        env.put("TOKEN_DEPLOYER", DEPLOYER_TOKEN);
        env.put("TOKEN_CI", CI_TOKEN);
        return env;
    }
}
