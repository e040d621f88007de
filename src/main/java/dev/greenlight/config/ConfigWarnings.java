package dev.greenlight.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a valid greenlight.yaml asks for but will not get: a token variable that is not set (its access rule is
 * dropped), a key or known_hosts file that is missing, a notification URL that cannot be read (its messages wait in
 * the outbox and are dead-lettered after their attempts). None of these stops the start (an operator may fix them
 * while the service runs, or not need that environment yet), so each is one WARN line at start-up naming the file
 * and key path.
 */
public final class ConfigWarnings {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWarnings.class);

    private ConfigWarnings() {
    }

    /** Logs every warning of {@link #of}. */
    public static void log(GreenlightConfig config, Secrets secrets) {
        of(config, secrets).forEach(LOG::warn);
    }

    /** One line per problem: access, github, environments by name, notifications by name. */
    public static List<String> of(GreenlightConfig config, Secrets secrets) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < config.access().size(); i++) {
            AccessRule rule = config.access().get(i);
            List<String> unset = rule.tokenEnvs().stream().filter(v -> secrets.setting(v).isEmpty()).toList();
            if (rule.tokenFile() == null && !unset.isEmpty() && unset.size() == rule.tokenEnvs().size()) {
                out.add(at(config, "access[" + i + "].token-env", String.join(" and ", unset) + (unset.size() > 1
                        ? " are" : " is") + " not set: access rule \"" + rule.name()
                        + "\" is dropped, and every call with its token is refused as not valid"));
            } else if (!unset.isEmpty()) {
                out.add(at(config, "access[" + i + "].token-env", unset.get(0) + " is not set: access rule \""
                        + rule.name() + "\" accepts only the token of the other variable"));
            }
        }
        GithubSettings github = config.github();
        if (github.tokenEnv() != null && github.tokenFile() == null && secrets.setting(github.tokenEnv()).isEmpty()) {
            out.add(at(config, "github.token-env", github.tokenEnv()
                    + " is not set: no commit status or incident issue is sent"));
        }
        config.apps().values().stream().flatMap(app -> app.environments().values().stream())
                .sorted(Comparator.comparing(EnvironmentConfig::key))
                .forEach(env -> environment(config, env, out));
        config.notifications().values().stream().sorted(Comparator.comparing(NotificationTarget::name))
                .forEach(target -> notification(config, target, secrets, out));
        return out;
    }

    private static void environment(GreenlightConfig config, EnvironmentConfig env, List<String> out) {
        String path = "apps." + env.app() + ".environments." + env.name();
        missing(config, path + ".ssh.key-file", env.ssh().keyFile(), "deployments of " + env.key()
                + " will fail at the pre-check", out);
        missing(config, path + ".ssh.known-hosts", env.ssh().knownHosts(), "deployments of " + env.key()
                + " will fail at the pre-check", out);
        boolean noToken = config.github().tokenEnv() == null && config.github().tokenFile() == null;
        if (noToken && env.trigger().triggers().stream().anyMatch(t -> t instanceof TriggerSpec.GithubDeployment)) {
            out.add(at(config, path + ".trigger", "a deployment trigger without a github token: GitHub's "
                    + "deployments are deployed, but never told how it went"));
        }
    }

    private static void notification(GreenlightConfig config, NotificationTarget target, Secrets secrets,
                                     List<String> out) {
        String path = "notifications." + target.name();
        if (target.urlEnv() != null && secrets.setting(target.urlEnv()).isPresent()) return;
        if (target.urlFile() == null) {
            out.add(at(config, path + ".url-env", target.urlEnv() + " is not set: nothing can be sent to \""
                    + target.name() + "\""));
        } else {
            missing(config, path + ".url-file", Path.of(target.urlFile()), "the webhook URL of \"" + target.name()
                    + "\" cannot be read", out);
        }
    }

    private static void missing(GreenlightConfig config, String path, Path file, String consequence,
                                List<String> out) {
        if (!Files.exists(file)) {
            out.add(at(config, path, file + " does not exist: " + consequence));
        } else if (!Files.isReadable(file) || Files.isDirectory(file)) {
            out.add(at(config, path, file + " is not a readable file: " + consequence));
        }
    }

    private static String at(GreenlightConfig config, String path, String problem) {
        return config.source() + ": " + path + ": " + problem;
    }
}
