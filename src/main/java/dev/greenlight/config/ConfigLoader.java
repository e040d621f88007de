package dev.greenlight.config;

import dev.greenlight.ssh.KeyExchanges;
import dev.greenlight.ssh.SshSessionPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** Reads and validates greenlight.yaml; the first problem stops the start with a message naming file and key. */
public final class ConfigLoader {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9._/-]{1,255}");
    private static final Pattern URL = Pattern.compile("https?://\\S+");
    /** Keys that would put a secret into the file; each names where the secret should come from instead. */
    private static final Map<String, String> INLINE_SECRETS = Map.of(
            "token", "token-env or token-file",
            "password", "nothing: only key authentication is accepted",
            "key", "key-file",
            "secret", "an environment variable",
            "url", "url-env or url-file");

    private ConfigLoader() {
    }

    public static GreenlightConfig load(Path path) {
        String file = path.toString();
        if (!Files.isReadable(path)) {
            throw new ConfigException(file + ": cannot read the deployment configuration (set GREENLIGHT_CONFIG to its path)");
        }
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build())
                    .loadFromString(Files.readString(path));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        } catch (MarkedYamlEngineException e) {
            throw new ConfigException(file + ": not valid YAML" + yamlProblem(e));
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return parse(new YamlNode(file, "", doc));
    }

    /**
     * Where and what: the parser's own message spans several lines (context, snippet, problem); the problem and its
     * line are what the operator needs, e.g. "line 4, column 5: found duplicate key repository".
     */
    private static String yamlProblem(MarkedYamlEngineException e) {
        String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
        String where = e.getProblemMark().or(e::getContextMark)
                .map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
        String context = e.getContext() != null && e.getProblem() != null ? " (" + e.getContext() + ")" : "";
        return where + ": " + (problem == null ? "unreadable" : problem.replaceAll("\\s+", " ").trim()) + context;
    }

    static GreenlightConfig parse(YamlNode root) {
        if (root.raw() == null) throw root.error("the file is empty");
        root.map("access", "apps", "notifications", "github", "audit");
        Map<String, NotificationTarget> notifications = notifications(root.get("notifications"));
        Map<String, AppConfig> apps = new LinkedHashMap<>();
        YamlNode appsNode = root.get("apps");
        if (appsNode.raw() == null) throw appsNode.error("is required: at least one app");
        appsNode.anyMap().keySet().forEach(name -> apps.put(name, app(name, appsNode.get(name), notifications)));
        refuseSharedTriggers(appsNode, apps);
        List<AccessRule> access = access(root.get("access"), apps);
        return new GreenlightConfig(root.file(), access, Map.copyOf(apps), notifications, github(root.get("github")),
                audit(root.get("audit")));
    }

    private static void refuseInlineSecrets(YamlNode node) {
        for (String key : node.anyMap().keySet()) {
            String instead = INLINE_SECRETS.get(key);
            if (instead != null) {
                throw node.error(key, "secrets may not be written in this file: use " + instead);
            }
        }
    }

    private static String name(YamlNode at, String name, String what) {
        if (!NAME.matcher(name).matches()) {
            throw at.error(what + " name \"" + name + "\" must be lower-case letters, digits, '-' or '_'");
        }
        return name;
    }

    private static Map<String, NotificationTarget> notifications(YamlNode node) {
        Map<String, NotificationTarget> out = new LinkedHashMap<>();
        if (node.raw() == null) return out;
        for (String name : node.anyMap().keySet()) {
            YamlNode n = node.get(name);
            name(n, name, "notification");
            refuseInlineSecrets(n);
            n.map("type", "url-env", "url-file", "events", "severity");
            String type = n.string("type");
            if (!NotificationTarget.TYPES.contains(type)) {
                throw n.error("type", "\"" + type + "\" is not one of " + new java.util.TreeSet<>(NotificationTarget.TYPES));
            }
            String urlEnv = n.get("url-env").optionalString().orElse(null);
            String urlFile = n.get("url-file").optionalString().orElse(null);
            if (urlEnv == null && urlFile == null) throw n.error("needs url-env or url-file");
            boolean criticalOnly = choice(n, "severity", "all", "critical").equals("critical");
            out.put(name, new NotificationTarget(name, type, urlEnv, urlFile, events(n), criticalOnly));
        }
        return Map.copyOf(out);
    }

    /** {@code events: [...]} of a channel: every event when absent; an empty or unknown name is refused. */
    private static Set<NotificationEvent> events(YamlNode channel) {
        YamlNode n = channel.get("events");
        if (n.raw() == null) return Set.copyOf(java.util.EnumSet.allOf(NotificationEvent.class));
        List<YamlNode> names = n.list();
        if (names.isEmpty()) throw n.error("is empty: list the events to send, or leave it out for all of them");
        Set<NotificationEvent> out = java.util.EnumSet.noneOf(NotificationEvent.class);
        for (YamlNode name : names) {
            String key = name.requiredString();
            out.add(NotificationEvent.parse(key).orElseThrow(() -> name.error("\"" + key + "\" is not an event ("
                    + String.join(", ", java.util.Arrays.stream(NotificationEvent.values())
                    .map(NotificationEvent::key).toList()) + ")")));
        }
        return Set.copyOf(out);
    }

    private static AppConfig app(String name, YamlNode n, Map<String, NotificationTarget> notifications) {
        name(n, name, "app");
        n.map("repository", "image", "environments");
        String repository = n.string("repository");
        if (!REPOSITORY.matcher(repository).matches()) {
            throw n.error("repository", "\"" + repository + "\" must be owner/name");
        }
        String image = n.get("image").optionalString().orElse(null);
        if (image != null && (image.contains("@") || image.matches(".*:[^/]*$") && !image.matches("[^/]+:\\d+/.*"))) {
            throw n.error("image", "\"" + image + "\" must not carry a tag or digest: the version is the tag");
        }
        YamlNode envs = n.get("environments");
        if (envs.raw() == null) throw envs.error("is required: at least one environment");
        Map<String, EnvironmentConfig> environments = new LinkedHashMap<>();
        envs.anyMap().keySet().forEach(env ->
                environments.put(env, environment(name, env, envs.get(env), notifications)));
        return new AppConfig(name, repository, image, Map.copyOf(environments));
    }

    /** Keys only a blue-green environment has. */
    private static final List<String> BLUE_GREEN_KEYS = List.of("approval", "approval-timeout", "promotion",
            "promotion-timeout", "colors", "backup-host", "watch", "keep-previous", "restore-on-failed-start");

    private static EnvironmentConfig environment(String app, String env, YamlNode n,
                                                 Map<String, NotificationTarget> notifications) {
        name(n, env, "environment");
        List<String> keys = new ArrayList<>(List.of("trigger", "version", "strategy", "batch", "hosts", "ssh",
                "commands", "build-host", "health", "smoke", "notify", "command-timeout", "checks", "environment-url"));
        keys.addAll(BLUE_GREEN_KEYS);
        n.map(keys.toArray(String[]::new));
        Strategy strategy = n.parsed("strategy", "rolling", Strategy::parse, "is not a strategy (rolling, blue-green)");
        boolean blueGreen = strategy == Strategy.BLUE_GREEN;
        if (!blueGreen) {
            for (String key : BLUE_GREEN_KEYS) {
                if (n.has(key)) throw n.error(key, "is only for strategy: blue-green");
            }
        }
        List<HostAddress> hosts = hosts(n.get("hosts"));
        Map<String, Template> commands = commands(n.get("commands"), blueGreen);
        List<String> required = blueGreen ? BlueGreenSpec.REQUIRED_COMMANDS : List.of("deploy");
        for (String command : required) {
            if (!commands.containsKey(command)) {
                throw n.error("commands." + command, "is required for a " + strategy.key() + " environment");
            }
        }
        if (blueGreen && commands.containsKey("backup") != commands.containsKey("restore")) {
            throw n.error("commands." + (commands.containsKey("backup") ? "restore" : "backup"),
                    "is required with commands." + (commands.containsKey("backup") ? "backup" : "restore")
                            + ": a backup nobody can restore, or a restore of no backup, protects nothing");
        }
        HostAddress buildHost = optionalHost(n, "build-host");
        if (commands.containsKey("build") && buildHost == null) {
            throw n.error("build-host", "is required when commands.build is set");
        }
        YamlNode health = n.get("health");
        Set<String> urlNames = blueGreen ? Template.BLUE_GREEN_URL_NAMES : Template.URL_NAMES;
        Template healthUrl = health.has("url") ? template(health.get("url"), null, urlNames) : null;
        if (blueGreen && (healthUrl == null
                || !healthUrl.names().contains("port") && !healthUrl.names().contains("color"))) {
            throw n.error("health.url", "is required for a blue-green environment and must use {{port}} (or "
                    + "{{color}}), so that each colour is checked on its own address");
        }
        Set<String> commandNames = blueGreen ? Template.BLUE_GREEN_COMMAND_NAMES : Template.COMMAND_NAMES;
        return new EnvironmentConfig(app, env, trigger(n.get("trigger")),
                template(n.get("version"), "sha-{{sha7}}", Template.VERSION_NAMES),
                strategy,
                n.parsed("batch", blueGreen ? "100%" : "1", BatchSize::parse,
                        "is not a host count or a percentage like \"25%\""),
                hosts,
                ssh(n.get("ssh")),
                commands,
                buildHost,
                health(health, blueGreen),
                healthUrl,
                health.has("command") ? template(health.get("command"), null, commandNames) : null,
                smoke(n.get("smoke")),
                notify(n.get("notify"), notifications),
                timeout(n, "command-timeout", "10m"),
                checks(n.get("checks")),
                blueGreen ? blueGreen(n, hosts) : null,
                environmentUrl(n));
    }

    /** Where users reach the environment (shown on GitHub's deployments): a plain http(s) URL, or null. */
    private static String environmentUrl(YamlNode n) {
        String url = n.get("environment-url").optionalString().orElse(null);
        if (url != null && !URL.matcher(url).matches()) {
            throw n.error("environment-url", "\"" + url + "\" is not an http(s) URL");
        }
        return url;
    }

    /** A disk path goes into a fixed command: plain path characters only, and it is shell-quoted besides. */
    private static final Pattern DISK_PATH = Pattern.compile("/[A-Za-z0-9._/@+-]{0,1023}");

    private static HostChecks checks(YamlNode n) {
        if (n.raw() == null) return null;
        n.map("disk", "memory");
        if (!n.has("disk") && !n.has("memory")) {
            throw n.error("is empty: configure disk and/or memory, or leave checks out");
        }
        HostChecks.Disk disk = null;
        if (n.has("disk")) {
            YamlNode d = n.get("disk");
            d.map("path", "max-used");
            String path = d.string("path", "/");
            if (!DISK_PATH.matcher(path).matches()) {
                throw d.error("path", "\"" + path + "\" is not an absolute path of letters, digits and ._/@+-");
            }
            if (!d.has("max-used")) throw d.error("max-used", "is required, for example 90%");
            disk = new HostChecks.Disk(path, d.parsed("max-used", null, HostChecks::parsePercent,
                    "is not a percentage from 1% to 99%"));
        }
        HostChecks.Memory memory = null;
        if (n.has("memory")) {
            YamlNode m = n.get("memory");
            m.map("min-available");
            if (!m.has("min-available")) throw m.error("min-available", "is required, for example 256MB");
            memory = new HostChecks.Memory(m.parsed("min-available", null, HostChecks::parseSize,
                    "is not a size (examples: 256MB, 1GB, 512MiB; the units count in 1024s)"));
        }
        return new HostChecks(disk, memory);
    }

    private static HostAddress optionalHost(YamlNode n, String key) {
        return n.get(key).optionalString()
                .map(h -> HostAddress.parse(h).orElseThrow(() -> n.error(key, "\"" + h + "\" is not host or host:port")))
                .orElse(null);
    }

    private static BlueGreenSpec blueGreen(YamlNode n, List<HostAddress> hosts) {
        HostAddress backupHost = optionalHost(n, "backup-host");
        YamlNode health = n.get("health");
        return new BlueGreenSpec(colors(n.get("colors")),
                choice(n, "approval", "none", "required").equals("required"),
                timeout(n, "approval-timeout", Durations.format(BlueGreenSpec.DEFAULT_APPROVAL_TIMEOUT)),
                choice(n, "promotion", "auto", "manual").equals("manual"),
                timeout(n, "promotion-timeout", Durations.format(BlueGreenSpec.DEFAULT_PROMOTION_TIMEOUT)),
                backupHost == null ? hosts.get(0) : backupHost,
                watch(n.get("watch")),
                duration(n, "keep-previous", Durations.format(BlueGreenSpec.DEFAULT_KEEP_PREVIOUS)),
                bool(n, "restore-on-failed-start", false),
                health.has("live-url") ? liveUrl(health.get("live-url")) : null);
    }

    /** One of the allowed words, the first being the default. */
    private static String choice(YamlNode n, String key, String... allowed) {
        String value = n.string(key, allowed[0]);
        if (!List.of(allowed).contains(value)) {
            throw n.error(key, "\"" + value + "\" is not one of " + String.join(", ", allowed));
        }
        return value;
    }

    private static boolean bool(YamlNode n, String key, boolean fallback) {
        Object raw = n.get(key).raw();
        if (raw == null) return fallback;
        if (raw instanceof Boolean b) return b;
        throw n.error(key, "must be true or false");
    }

    private static Template liveUrl(YamlNode n) {
        Template url = template(n, null, Template.URL_NAMES);
        if (!URL.matcher(url.text()).matches()) throw n.error("\"" + url.text() + "\" is not an http(s) URL");
        return url;
    }

    private static List<ColorSpec> colors(YamlNode n) {
        if (n.raw() == null) throw n.error("is required for a blue-green environment: two colours and their ports");
        Map<String, Object> names = n.anyMap();
        if (names.size() != 2) throw n.error("must name exactly two colours (for example blue and green)");
        List<ColorSpec> out = new ArrayList<>();
        for (String name : names.keySet()) {
            YamlNode c = n.get(name);
            name(c, name, "colour");
            c.map("port");
            if (!c.has("port")) throw c.error("port", "is required: the port this colour serves on");
            out.add(new ColorSpec(name, c.integer("port", 0, 1, 65535)));
        }
        if (out.get(0).port() == out.get(1).port()) {
            throw n.get(out.get(1).name()).error("port", "is the port of " + out.get(0).name() + " too: each colour "
                    + "needs its own");
        }
        return List.copyOf(out);
    }

    private static WatchSpec watch(YamlNode n) {
        if (n.raw() == null) {
            return new WatchSpec(WatchSpec.DEFAULT_DURATION, WatchSpec.DEFAULT_INTERVAL, WatchSpec.DEFAULT_MAX_ERRORS,
                    null, WatchSpec.DEFAULT_ERRORS_FIELD, null);
        }
        n.map("duration", "interval", "max-errors", "errors-path", "errors-field", "max-p95");
        Duration duration = duration(n, "duration", Durations.format(WatchSpec.DEFAULT_DURATION));
        Duration interval = timeout(n, "interval", Durations.format(WatchSpec.DEFAULT_INTERVAL));
        if (!duration.isZero() && interval.compareTo(duration) > 0) {
            throw n.error("interval", "is longer than the watch's duration: not one probe would run");
        }
        String errorsPath = n.get("errors-path").optionalString().orElse(null);
        if (errorsPath != null && !errorsPath.startsWith("/")) throw n.error("errors-path", "must start with /");
        String field = n.string("errors-field", WatchSpec.DEFAULT_ERRORS_FIELD);
        if (!field.matches("[A-Za-z_][A-Za-z0-9_.-]{0,63}")) {
            throw n.error("errors-field", "\"" + field + "\" is not a JSON field name");
        }
        if (n.has("errors-field") && errorsPath == null) throw n.error("errors-field", "needs errors-path");
        return new WatchSpec(duration, interval, n.integer("max-errors", WatchSpec.DEFAULT_MAX_ERRORS, 0, 1_000_000),
                errorsPath, field, n.has("max-p95") ? timeout(n, "max-p95", null) : null);
    }

    /** Trigger kinds, as written in greenlight.yaml. */
    private static final List<String> TRIGGER_KINDS = List.of("push", "release", "workflow-dispatch", "deployment");
    /** Where GitHub keeps workflow files; a workflow_dispatch delivery names its file by this path. */
    private static final Pattern WORKFLOW = Pattern.compile("\\.github/workflows/[A-Za-z0-9._/-]{1,200}\\.ya?ml");
    private static final Pattern INPUT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,99}");

    /** One trigger mapping, or a list of them. */
    private static TriggerSpec trigger(YamlNode n) {
        if (n.raw() == null) return TriggerSpec.MANUAL;
        List<YamlNode> items = n.raw() instanceof List ? n.list() : List.of(n);
        if (items.isEmpty()) throw n.error("is empty: list the triggers, or leave trigger out (deployed through the API only)");
        List<TriggerSpec.Trigger> out = new ArrayList<>();
        Set<String> claims = new LinkedHashSet<>();
        for (YamlNode item : items) {
            for (TriggerSpec.Trigger t : triggersOf(item)) {
                if (!claims.add(t.claim())) throw item.error("repeats the trigger " + t.claim());
                out.add(t);
            }
        }
        return new TriggerSpec(out);
    }

    /**
     * The triggers of one entry: usually one kind, but an entry may name several, as {@code { push: main, release:
     * published }} did before triggers could be a list (and still does).
     */
    private static List<TriggerSpec.Trigger> triggersOf(YamlNode n) {
        List<String> keys = new ArrayList<>(TRIGGER_KINDS);
        keys.add("version-input");
        Map<String, Object> map = n.map(keys.toArray(String[]::new));
        if (n.has("version-input") && !n.has("workflow-dispatch")) {
            throw n.error("version-input", "is only for a workflow-dispatch trigger");
        }
        List<String> kinds = TRIGGER_KINDS.stream().filter(map::containsKey).toList();
        if (kinds.isEmpty()) {
            throw n.error("names no trigger kind (one of: " + String.join(", ", TRIGGER_KINDS) + ")");
        }
        return kinds.stream().map(kind -> oneTrigger(n, kind)).toList();
    }

    private static TriggerSpec.Trigger oneTrigger(YamlNode n, String kind) {
        String value = n.string(kind);
        return switch (kind) {
            case "push" -> {
                if (!BRANCH.matcher(value).matches()) throw n.error("push", "\"" + value + "\" is not a branch name");
                yield new TriggerSpec.Push(value);
            }
            case "release" -> {
                if (!Set.of("published", "released", "prereleased").contains(value)) {
                    throw n.error("release", "\"" + value + "\" is not a release action (published, released, prereleased)");
                }
                yield new TriggerSpec.Release(value);
            }
            case "workflow-dispatch" -> {
                if (!WORKFLOW.matcher(value).matches()) {
                    throw n.error("workflow-dispatch", "\"" + value + "\" is not a workflow file path like "
                            + ".github/workflows/deploy.yml (GitHub names the workflow by that path)");
                }
                String input = n.string("version-input", "version");
                if (!INPUT.matcher(input).matches()) {
                    throw n.error("version-input", "\"" + input + "\" is not a workflow input name");
                }
                yield new TriggerSpec.WorkflowDispatch(value, input);
            }
            default -> {
                if (value.length() > 255) throw n.error("deployment", "is longer than GitHub's 255 characters");
                yield new TriggerSpec.GithubDeployment(value);
            }
        };
    }

    /**
     * Two environments that claim the same trigger of one repository would deploy one event twice, and a GitHub
     * deployment can report only one outcome: refused, naming both.
     */
    private static void refuseSharedTriggers(YamlNode appsNode, Map<String, AppConfig> apps) {
        Map<String, String> claimedBy = new LinkedHashMap<>();
        for (AppConfig app : apps.values()) {
            // in the file's order, so the error names the second claim
            for (String name : appsNode.get(app.name()).get("environments").anyMap().keySet()) {
                EnvironmentConfig env = app.environments().get(name);
                for (TriggerSpec.Trigger t : env.trigger().triggers()) {
                    String key = app.repository().toLowerCase(java.util.Locale.ROOT) + " " + t.claim();
                    String other = claimedBy.putIfAbsent(key, env.key());
                    if (other != null) {
                        throw appsNode.get(app.name()).get("environments").get(env.name()).error("trigger",
                                t.claim() + " of " + app.repository() + " is already the trigger of " + other
                                        + ": one event would deploy both");
                    }
                }
            }
        }
    }

    private static List<HostAddress> hosts(YamlNode n) {
        if (n.raw() == null) throw n.error("is required: an environment needs at least one host");
        List<HostAddress> hosts = new ArrayList<>();
        Set<HostAddress> seen = new LinkedHashSet<>();
        for (YamlNode h : n.list()) {
            String text = h.requiredString();
            HostAddress address = HostAddress.parse(text)
                    .orElseThrow(() -> h.error("\"" + text + "\" is not host or host:port"));
            if (!seen.add(address)) throw h.error("\"" + text + "\" is listed twice");
            hosts.add(address);
        }
        if (hosts.isEmpty()) throw n.error("is empty: an environment needs at least one host");
        return List.copyOf(hosts);
    }

    private static SshSettings ssh(YamlNode n) {
        if (n.raw() == null) throw n.error("is required (user, key-file, known-hosts)");
        refuseInlineSecrets(n);
        n.map("user", "key-file", "known-hosts", "connect-timeout", "key-exchange", "max-concurrent-starts");
        String user = n.string("user");
        if (!user.matches("[a-z_][a-z0-9_.-]{0,31}")) throw n.error("user", "\"" + user + "\" is not a user name");
        return new SshSettings(user, Path.of(n.string("key-file")), Path.of(n.string("known-hosts")),
                timeout(n, "connect-timeout", "10s"), keyExchange(n.get("key-exchange")),
                n.integer("max-concurrent-starts", SshSessionPool.DEFAULT_MAX_CONCURRENT_STARTS, 1, 1000));
    }

    /** Optional: the SSH key exchange algorithms allowed, by their SSH names, in order of preference. */
    private static List<String> keyExchange(YamlNode n) {
        if (n.raw() == null) return List.of();
        List<YamlNode> names = n.list();
        if (names.isEmpty()) throw n.error("must name at least one algorithm (leave it out for the default)");
        for (YamlNode name : names) {
            try {
                KeyExchanges.requireSupported(List.of(name.requiredString()));
            } catch (IllegalArgumentException e) {
                throw name.error(e.getMessage());
            }
        }
        return n.stringList();
    }

    private static Map<String, Template> commands(YamlNode n, boolean blueGreen) {
        Map<String, Template> out = new LinkedHashMap<>();
        if (n.raw() == null) return out;
        if (blueGreen) {
            for (String key : List.of("before-host", "after-host")) {
                if (n.has(key)) {
                    throw n.error(key, "is only for a rolling environment: a blue-green switch takes no host out "
                            + "of rotation (use commands.switch)");
                }
            }
        }
        n.map((blueGreen ? BlueGreenSpec.COMMAND_KEYS : EnvironmentConfig.COMMAND_KEYS).toArray(String[]::new));
        for (String key : n.anyMap().keySet()) {
            out.put(key, template(n.get(key), null,
                    blueGreen ? Template.BLUE_GREEN_COMMAND_NAMES : Template.COMMAND_NAMES));
        }
        return Map.copyOf(out);
    }

    private static Template template(YamlNode n, String fallback, Set<String> allowed) {
        String text = n.optionalString().orElse(fallback);
        try {
            return Template.parse(text, allowed);
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    private static HealthSpec health(YamlNode n, boolean blueGreen) {
        if (n.raw() == null) return null;
        if (blueGreen) {
            n.map("command", "url", "live-url", "paths", "attempts", "interval", "timeout");
        } else {
            if (n.has("live-url")) throw n.error("live-url", "is only for strategy: blue-green");
            n.map("command", "url", "paths", "attempts", "interval", "timeout");
        }
        List<String> paths = n.get("paths").stringList();
        for (int i = 0; i < paths.size(); i++) {
            if (!paths.get(i).startsWith("/")) throw n.get("paths").list().get(i).error("must start with /");
        }
        String url = n.get("url").optionalString().orElse(null);
        if (!paths.isEmpty() && url == null) throw n.error("url", "is required when paths are listed");
        if (url != null && !URL.matcher(url).matches()) throw n.error("url", "\"" + url + "\" is not an http(s) URL");
        if (url != null && paths.isEmpty()) throw n.error("paths", "is required when url is set");
        return new HealthSpec(n.get("command").optionalString().orElse(null), url, paths,
                n.integer("attempts", HealthSpec.DEFAULT_ATTEMPTS, 1, 1000),
                duration(n, "interval", Durations.format(HealthSpec.DEFAULT_INTERVAL)),
                timeout(n, "timeout", Durations.format(HealthSpec.DEFAULT_TIMEOUT)));
    }

    private static List<SmokeCheck> smoke(YamlNode n) {
        List<SmokeCheck> out = new ArrayList<>();
        for (YamlNode s : n.list()) {
            s.map("name", "path", "method", "body", "status", "body-contains");
            String path = s.string("path");
            if (!path.startsWith("/")) throw s.error("path", "must start with /");
            String method = s.string("method", "GET").toUpperCase();
            if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD").contains(method)) {
                throw s.error("method", "\"" + method + "\" is not an HTTP method");
            }
            out.add(new SmokeCheck(s.string("name"), method, path, body(s.get("body")),
                    s.integer("status", 200, 100, 599), s.get("body-contains").optionalString().orElse(null)));
        }
        return List.copyOf(out);
    }

    /** A smoke body may be written as YAML; it is sent as JSON. */
    private static String body(YamlNode n) {
        if (n.raw() == null) return null;
        if (n.raw() instanceof String s) return s;
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(n.raw());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw n.error("cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static List<String> notify(YamlNode n, Map<String, NotificationTarget> notifications) {
        List<String> names = n.stringList();
        for (int i = 0; i < names.size(); i++) {
            if (!notifications.containsKey(names.get(i))) {
                throw n.list().get(i).error("notification \"" + names.get(i) + "\" is not defined under notifications");
            }
        }
        return List.copyOf(names);
    }

    private static Duration duration(YamlNode n, String key, String fallback) {
        return n.parsed(key, fallback, Durations::parse, "is not a duration (examples: 500ms, 3s, 2m, 1h)");
    }

    /** A timeout: zero would fail every command or check, so it is refused at start-up. */
    private static Duration timeout(YamlNode n, String key, String fallback) {
        return n.parsed(key, fallback, Durations::parsePositive,
                "is not a timeout (more than zero, for example 500ms, 3s, 2m, 1h)");
    }

    private static List<AccessRule> access(YamlNode n, Map<String, AppConfig> apps) {
        Set<String> knownEnvs = new LinkedHashSet<>();
        apps.values().forEach(a -> knownEnvs.addAll(a.environments().keySet()));
        List<AccessRule> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (YamlNode a : n.list()) {
            refuseInlineSecrets(a);
            a.map("name", "token-env", "token-file", "environments", "apps", "role");
            String name = name(a, a.string("name"), "access");
            if (!names.add(name)) throw a.error("name", "\"" + name + "\" is defined twice");
            List<String> envs = tokenEnvs(a.get("token-env"));
            String file = a.get("token-file").optionalString().orElse(null);
            if (envs.isEmpty() && file == null) throw a.error("needs token-env or token-file");
            List<String> environments = a.get("environments").stringList();
            if (environments.isEmpty()) throw a.error("environments", "is required: the environments this token may deploy");
            for (int i = 0; i < environments.size(); i++) {
                if (!knownEnvs.contains(environments.get(i))) {
                    throw a.get("environments").list().get(i).error("environment \"" + environments.get(i) + "\" is not defined by any app");
                }
            }
            List<String> appNames = a.get("apps").stringList();
            for (int i = 0; i < appNames.size(); i++) {
                if (!apps.containsKey(appNames.get(i))) {
                    throw a.get("apps").list().get(i).error("app \"" + appNames.get(i) + "\" is not defined");
                }
            }
            boolean admin = choice(a, "role", "deploy", "admin").equals("admin");
            out.add(new AccessRule(name, envs, file, Set.copyOf(appNames), Set.copyOf(environments), admin));
        }
        return List.copyOf(out);
    }

    /**
     * {@code token-env}: one variable, or a list of two while a token is rotated (either value is accepted, and
     * removing the old one from the list, with a reload or a restart, stops it working).
     */
    private static List<String> tokenEnvs(YamlNode n) {
        if (!(n.raw() instanceof List)) return n.optionalString().map(List::of).orElse(List.of());
        List<String> names = n.stringList();
        if (names.isEmpty()) throw n.error("must name a variable, or two while a token is rotated");
        if (names.size() > AccessRule.MAX_TOKENS) {
            throw n.error("names " + names.size() + " variables: at most " + AccessRule.MAX_TOKENS
                    + " (the token in use and the one replacing it)");
        }
        if (names.get(0).equals(names.get(names.size() - 1)) && names.size() > 1) {
            throw n.error("names " + names.get(0) + " twice: a rotation names the old variable and the new one");
        }
        return names;
    }

    private static GithubSettings github(YamlNode n) {
        if (n.raw() == null) return GithubSettings.NONE;
        refuseInlineSecrets(n);
        n.map("token-env", "token-file", "api-url", "public-url", "deployments");
        String api = n.string("api-url", GithubSettings.NONE.apiUrl());
        if (!URL.matcher(api).matches()) throw n.error("api-url", "\"" + api + "\" is not an http(s) URL");
        return new GithubSettings(n.get("token-env").optionalString().orElse(null),
                n.get("token-file").optionalString().orElse(null), api.replaceAll("/+$", ""),
                n.get("public-url").optionalString().map(u -> u.replaceAll("/+$", "")).orElse(null),
                bool(n, "deployments", true));
    }

    private static AuditSettings audit(YamlNode n) {
        if (n.raw() == null) return AuditSettings.NONE;
        n.map("markdown-file");
        String file = n.string("markdown-file");
        Path path;
        try {
            path = Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            throw n.error("markdown-file", "\"" + file + "\" is not a file path: " + e.getReason());
        }
        if (file.endsWith("/") || Files.isDirectory(path)) {
            throw n.error("markdown-file", "\"" + file + "\" is a directory: name the file to keep the trail in");
        }
        return new AuditSettings(java.util.Optional.of(path));
    }
}
