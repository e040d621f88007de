package dev.greenlight;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.api.ApiAuth;
import dev.greenlight.api.ApprovalApi;
import dev.greenlight.approval.ApprovalDeadlines;
import dev.greenlight.approval.ApprovalGate;
import dev.greenlight.approval.Decisions;
import dev.greenlight.approval.PromotionGate;
import dev.greenlight.approval.WaitStore;
import dev.greenlight.api.DeploymentApi;
import dev.greenlight.api.IncidentApi;
import dev.greenlight.dashboard.DashboardAssets;
import dev.greenlight.api.AuditApi;
import dev.greenlight.api.ConfigApi;
import dev.greenlight.api.MetricsApi;
import dev.greenlight.api.NotificationApi;
import dev.greenlight.audit.AuditChain;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.RefusalLimiter;
import dev.greenlight.bluegreen.Backups;
import dev.greenlight.bluegreen.ColorChoice;
import dev.greenlight.bluegreen.ColorFocus;
import dev.greenlight.bluegreen.ColorStops;
import dev.greenlight.bluegreen.LiveHealthCheck;
import dev.greenlight.bluegreen.RestorePolicy;
import dev.greenlight.bluegreen.Switches;
import dev.greenlight.bluegreen.WatchStage;
import dev.greenlight.config.ConfigException;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.ConfigWarnings;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.Durations;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.delivery.ClosedDays;
import dev.greenlight.delivery.DeliveryMetrics;
import dev.greenlight.deploy.ActiveRuns;
import dev.greenlight.deploy.Cancellations;
import dev.greenlight.deploy.DeploymentFinisher;
import dev.greenlight.deploy.HostResources;
import dev.greenlight.deploy.DeploymentMeasures;
import dev.greenlight.deploy.DeploymentQueue;
import dev.greenlight.deploy.DeploymentRuns;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.Dispatcher;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.deploy.HealthStage;
import dev.greenlight.deploy.PreChecks;
import dev.greenlight.deploy.RecoveredRuns;
import dev.greenlight.deploy.Recoveries;
import dev.greenlight.deploy.RemoteCommands;
import dev.greenlight.deploy.Rollbacks;
import dev.greenlight.deploy.SmokeStage;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.health.ErrorCountReader;
import dev.greenlight.health.HttpHealthChecker;
import dev.greenlight.health.SmokeTester;
import dev.greenlight.http.ApiErrors;
import dev.greenlight.http.TrustedProxies;
import dev.greenlight.incident.IncidentEvidence;
import dev.greenlight.incident.IncidentIssues;
import dev.greenlight.incident.IncidentMarkdown;
import dev.greenlight.incident.IncidentReportStore;
import dev.greenlight.incident.IncidentReports;
import dev.greenlight.intake.DeploymentMarker;
import dev.greenlight.intake.TriggerMatcher;
import dev.greenlight.metrics.DatabaseHealthCheck;
import dev.greenlight.metrics.GreenlightMeters;
import dev.greenlight.intake.WebhookDeliveries;
import dev.greenlight.intake.WebhookIntake;
import dev.greenlight.notify.DeploymentEvents;
import dev.greenlight.notify.Backoff;
import dev.greenlight.notify.BadSignatureBurst;
import dev.greenlight.notify.GithubCommitStatus;
import dev.greenlight.notify.GithubDeployments;
import dev.greenlight.notify.GithubRateLimits;
import dev.greenlight.notify.NoAutomaticRetries;
import dev.greenlight.notify.NoticeFactory;
import dev.greenlight.notify.NotificationRelay;
import dev.greenlight.notify.NotificationStore;
import dev.greenlight.notify.Notifications;
import dev.greenlight.notify.ReviewTriggers;
import dev.greenlight.registry.RegistryClient;
import dev.greenlight.reload.ConfigReload;
import dev.greenlight.registry.RegistryCredentials;
import dev.greenlight.ssh.PooledSshComponent;
import dev.greenlight.ssh.SshSessionPool;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.greenlight.trail.AuditTrailDocument;
import dev.greenlight.trail.AuditTrailFile;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/** Builds Greenlight's beans from its settings and binds them by name for the routes. */
public class GreenlightConfiguration implements CamelConfiguration {
    /** Tests bind a lookup under this name to stand in for the process environment. */
    public static final String ENVIRONMENT_BEAN = "greenlightEnvironment";

    @Override
    @SuppressWarnings("unchecked")
    public void configure(CamelContext context) throws Exception {
        Registry registry = context.getRegistry();
        PropertiesComponent props = context.getPropertiesComponent();
        UnaryOperator<String> env = registry.lookupByNameAndType(ENVIRONMENT_BEAN, UnaryOperator.class);
        Secrets secrets = new Secrets(env != null ? env : System::getenv);

        int port = port(props, "camel.server.port", "8080");
        requireFree(props, "camel.server.port", port);
        requireFree(props, "camel.management.port", port(props, "camel.management.port", "8081"));
        long maxBodySize = number(props, "camel.server.maxBodySize", "26214400", 1, Long.MAX_VALUE);
        registry.bind("platform-http-engine", new ServerPortEngine(port, maxBodySize));
        registry.bind(TrustedProxies.BEAN, TrustedProxies.parse(
                props.resolveProperty(TrustedProxies.SETTING).orElse(null),
                props.resolveProperty(TrustedProxies.HEADER_SETTING).orElse(null)));

        Path configFile = Path.of(setting(props, secrets, "greenlight.config", "GREENLIGHT_CONFIG", "greenlight.yaml"));
        GreenlightConfig config = ConfigLoader.load(configFile);
        ConfigWarnings.log(config, secrets);
        // what a reload may replace is read through this; the github and audit blocks are read once, below
        CurrentConfig current = new CurrentConfig(config);
        HikariDataSource dataSource = Database.open(setting(props, secrets, "greenlight.db.url", "GREENLIGHT_DB_URL", null),
                setting(props, secrets, "greenlight.db.user", "GREENLIGHT_DB_USER", null),
                secrets.fromVariable("GREENLIGHT_DB_PASSWORD").orElse(null),
                props.resolveProperty("greenlight.db.schema").orElse(null),
                (int) number(props, "greenlight.db.pool-size", "20", 2, 1000),
                Durations.requirePositive("greenlight.db.connection-timeout",
                        props.resolveProperty("greenlight.db.connection-timeout").orElse("5s")));
        context.addService(new Closer(dataSource));

        Clock clock = Clock.systemUTC();
        Jdbc jdbc = new Jdbc(dataSource);
        AuditLog audit = new AuditLog(jdbc, clock, secrets);
        DeploymentStore deployments = new DeploymentStore(jdbc, clock, secrets);
        StepStore steps = new StepStore(jdbc, clock, secrets);
        Duration leaseTtl = leaseTtl(props);
        watchPeriod(props);
        String instanceId = instanceId();
        EnvironmentLease lease = new EnvironmentLease(jdbc, instanceId, leaseTtl, audit);
        // A running deployment's bookkeeping waits out a database outage of up to half the lease TTL instead of
        // failing (requests are answered 503 at once meanwhile): within that bound the lease, renewed as soon as the
        // database answers again, cannot lapse under the run. The same stores, on a patient connection.
        Jdbc patient = jdbc.patient(leaseTtl.dividedBy(2));
        DeploymentStore runDeployments = new DeploymentStore(patient, clock, secrets);
        StepStore runSteps = new StepStore(patient, clock, secrets);
        AuditLog runAudit = new AuditLog(patient, clock, secrets);
        EnvironmentLease runLease = new EnvironmentLease(patient, instanceId, leaseTtl, runAudit);
        ActiveRuns activeRuns = new ActiveRuns(runLease, runDeployments);
        GreenlightMeters meters = new GreenlightMeters(meterRegistry(registry));
        registry.bind("greenlightMeters", meters);
        Notifications notifications = notifications(registry, props, current, secrets, jdbc, clock, deployments, steps,
                instanceId, audit, meters);
        notifications.wakeThrough(context.createProducerTemplate());
        EventOutbox outbox = new EventOutbox(jdbc, clock, instanceId, notifications);
        DeploymentEvents events = new DeploymentEvents(context.createProducerTemplate(), current, outbox, deployments);
        registry.bind("greenlightDatabaseHealth", new DatabaseHealthCheck(dataSource));
        AuditTrailDocument trailDocument = new AuditTrailDocument(config.github().publicUrl(), clock);
        AuditTrailFile trailFile = new AuditTrailFile(config.audit().markdownFile(), deployments, trailDocument,
                context.createProducerTemplate());
        Runnable wake = () -> {
            events.wake();
            notifications.wake();
            trailFile.wake();
        };
        DeploymentFinisher finisher = new DeploymentFinisher(deployments, lease, audit, outbox, wake,
                new DeploymentMeasures(deployments, audit, meters));
        DeploymentFinisher runFinisher = new DeploymentFinisher(runDeployments, runLease, runAudit,
                new EventOutbox(patient, clock, instanceId, notifications), wake,
                new DeploymentMeasures(runDeployments, runAudit, meters));
        DeploymentQueue queue = new DeploymentQueue(deployments, audit);
        Dispatcher dispatcher = new Dispatcher(current, deployments, lease, audit, outbox, wake);
        dispatcher.registerEnvironments(config);
        WebhookDeliveries deliveries = new WebhookDeliveries(clock);
        RefusalLimiter refusals = refusalLimiter(props, audit, clock);
        context.addService(new Closer(refusals)); // after the data source's: stopped first, so the summaries get written
        ApiAuth auth = new ApiAuth(current, secrets, audit, refusals);

        SshSessionPool ssh = SshSessionPool.persisting(sshPersist(props));
        context.addService(new Closer(ssh));
        context.addComponent("ssh", new PooledSshComponent(ssh));
        RemoteCommands commands = new RemoteCommands(runSteps);
        DeploymentRuns runs = new DeploymentRuns(current, runDeployments, runFinisher, ssh, runLease,
                context::isStopping);

        registry.bind("currentConfig", current);
        ConfigReload reload = new ConfigReload(configFile, current, secrets, deployments, dispatcher, audit);
        registry.bind("configReload", reload);
        registry.bind("sshSessionPool", ssh);
        registry.bind("remoteCommands", commands);
        registry.bind("deploymentRuns", runs);
        registry.bind("recoveries", new Recoveries(deployments, lease, steps, audit));
        registry.bind("recoveredRuns", new RecoveredRuns(current, runDeployments, runSteps, runFinisher));
        ExecutorService hostWork = hostExecutor(context);
        registry.bind("hostExecutor", hostWork);
        registry.bind("preChecks", new PreChecks(registryClient(secrets), runSteps));
        registry.bind("hostResources", new HostResources(runSteps, notifications));
        registry.bind("healthStage", new HealthStage(new HttpHealthChecker(), runSteps, meters, notifications));
        registry.bind("smokeStage", new SmokeStage(new SmokeTester(), runSteps));
        registry.bind("rollbacks", new Rollbacks(runFinisher, runDeployments, runSteps));
        bindBlueGreen(registry, current, patient, clock, runDeployments, runSteps, runLease, notifications);
        Optional<String> githubToken = secrets.get(config.github().tokenEnv(), config.github().tokenFile());
        GithubRateLimits githubLimits = new GithubRateLimits(clock);
        registry.bind("githubRateLimits", githubLimits);
        registry.bind("githubCommitStatus", new GithubCommitStatus(config.github(), githubToken, githubLimits));
        Optional<String> webhookSecret = secrets.fromVariable("GREENLIGHT_WEBHOOK_SECRET");
        DeploymentMarker marker = new DeploymentMarker(webhookSecret);
        registry.bind("githubDeployments", githubDeployments(props, current, marker, githubToken, jdbc, outbox, clock,
                githubLimits));
        registry.bind("deploymentEvents", events);
        registry.bind("eventOutbox", outbox);
        registry.bind("secrets", secrets);
        registry.bind("dataSource", dataSource);
        registry.bind("auditLog", audit);
        registry.bind("deploymentStore", deployments);
        registry.bind("stepStore", steps);
        registry.bind("environmentLease", lease);
        registry.bind("activeRuns", activeRuns);
        registry.bind("deploymentFinisher", finisher);
        registry.bind("dispatcher", dispatcher);
        registry.bind("webhookIntake", new WebhookIntake(webhookSecret, new TriggerMatcher(current, marker), queue, deployments, deliveries, audit, refusals, lease,
                badSignatures(props, notifications, config, clock)::refused));
        IncidentReportStore incidents = bindIncidentReports(registry, props, config, githubToken, secrets, jdbc, clock,
                deployments, steps, audit, lease, outbox);
        DeploymentApi deploymentApi = new DeploymentApi(current, auth, queue, deployments, steps, lease, audit,
                new Cancellations(deployments, audit, finisher, outbox), incidents);
        registry.bind("deploymentApi", deploymentApi);
        registry.bind("incidentApi", new IncidentApi(deploymentApi, incidents));
        registry.bind("metricsApi", new MetricsApi(current, deploymentApi, new DeliveryMetrics(jdbc), clock));
        registry.bind("closedDays", new ClosedDays(jdbc, clock));
        registry.bind("auditApi", new AuditApi(audit, new AuditChain(jdbc), deployments, trailDocument));
        registry.bind("auditTrailFile", trailFile);
        bindApprovals(registry, current, jdbc, clock, deployments, lease, audit, finisher, auth, deploymentApi,
                notifications);
        registry.bind("apiErrors", new ApiErrors(audit, refusals));
        registry.bind("dashboardAssets", new DashboardAssets());
        registry.bind("apiAuth", auth);
        registry.bind("configApi", new ConfigApi(auth, reload));
        registry.bind("refusalLimiter", refusals);
    }

    /** Approval and promotion of blue-green deployments: the pipeline's two gates, the deadlines, the API. */
    private static void bindApprovals(Registry registry, CurrentConfig config, Jdbc jdbc, Clock clock,
                                      DeploymentStore deployments, EnvironmentLease lease, AuditLog audit,
                                      DeploymentFinisher finisher, ApiAuth auth, DeploymentApi deploymentApi,
                                      Notifications notifications) {
        WaitStore waits = new WaitStore(jdbc);
        registry.bind("approvalGate", new ApprovalGate(deployments, waits, lease, audit, notifications));
        registry.bind("promotionGate", new PromotionGate(deployments, waits, audit, notifications));
        registry.bind("approvalDeadlines", new ApprovalDeadlines(config, deployments, waits, finisher));
        registry.bind("approvalApi", new ApprovalApi(deploymentApi, auth,
                new Decisions(deployments, waits, finisher, audit, clock), deployments, audit));
    }

    /**
     * Incident reports (written when a rollback ends) and their GitHub issues, sent from the outbox through
     * camel-github's services bound for {@code github.api-url}.
     */
    private static IncidentReportStore bindIncidentReports(Registry registry, PropertiesComponent props,
                                                           GreenlightConfig config, Optional<String> githubToken,
                                                           Secrets secrets, Jdbc jdbc,
                                                           Clock clock, DeploymentStore deployments, StepStore steps,
                                                           AuditLog audit, EnvironmentLease lease, EventOutbox outbox) {
        IncidentReportStore store = new IncidentReportStore(jdbc, outbox);
        registry.bind("incidentReportStore", store);
        registry.bind("incidentReports", new IncidentReports(deployments,
                new IncidentEvidence(deployments, steps, audit, lease), new IncidentMarkdown(), store, secrets,
                clock));
        Duration retryDelay = Durations.requirePositive("greenlight.incidents.retry-delay",
                props.resolveProperty("greenlight.incidents.retry-delay").orElse("30s"));
        registry.bind("incidentIssues", new IncidentIssues(githubToken, store, outbox, clock, retryDelay));
        IncidentIssues.bindServices(registry, config.github());
        return store;
    }

    /**
     * GitHub deployments (routes/github-deployments.camel.yaml): a creation or status GitHub could not take waits the
     * retry delay, doubled with each failed try up to 32 times it.
     */
    private static GithubDeployments githubDeployments(PropertiesComponent props, CurrentConfig config,
                                                       DeploymentMarker marker, Optional<String> githubToken, Jdbc jdbc, EventOutbox outbox,
                                                       Clock clock, GithubRateLimits limits) {
        Duration retryDelay = Durations.requirePositive("greenlight.github-deployments.retry-delay",
                props.resolveProperty("greenlight.github-deployments.retry-delay").orElse("30s"));
        Backoff backoff = new Backoff(Integer.MAX_VALUE, retryDelay, retryDelay.multipliedBy(32));
        return new GithubDeployments(config, marker, githubToken, jdbc, outbox, clock, backoff, limits);
    }

    /** The blue-green pipeline's beans (routes/blue-green*.camel.yaml). */
    private static void bindBlueGreen(Registry registry, CurrentConfig config, Jdbc jdbc, Clock clock,
                                      DeploymentStore deployments, StepStore steps, EnvironmentLease lease,
                                      Notifications notifications) {
        ColorStops stops = new ColorStops(jdbc, clock, config, deployments, lease);
        HttpHealthChecker checker = new HttpHealthChecker();
        registry.bind("colorStops", stops);
        registry.bind("colorChoice", new ColorChoice(lease, deployments, stops));
        registry.bind("colorFocus", new ColorFocus());
        registry.bind("backups", new Backups(deployments, clock));
        registry.bind("switches", new Switches(deployments, clock));
        registry.bind("restorePolicy", new RestorePolicy(deployments));
        registry.bind("liveHealthCheck", new LiveHealthCheck(checker, steps));
        registry.bind("watchStage", new WatchStage(checker, new ErrorCountReader(), steps, clock,
                notifications));
    }

    /**
     * Chat notifications: the outbox, the relay that delivers it (routes/notifications.camel.yaml) with its back-off
     * settings, the review triggers' window, and the API.
     */
    private static Notifications notifications(Registry registry, PropertiesComponent props, CurrentConfig config,
                                               Secrets secrets, Jdbc jdbc, Clock clock, DeploymentStore deployments,
                                               StepStore steps, String instanceId, AuditLog audit,
                                               GreenlightMeters meters) {
        NotificationStore store = new NotificationStore(jdbc, clock, instanceId, secrets);
        NoticeFactory notices = new NoticeFactory(config.get().github().publicUrl(), clock);
        Duration window = reviewWindow(props.resolveProperty("greenlight.review.window").orElse("30d"));
        Notifications notifications = new Notifications(config, deployments, steps, store, notices,
                new ReviewTriggers(window, clock, notices), jdbc);
        Backoff backoff = new Backoff((int) number(props, "greenlight.notifications.max-attempts", "8", 1, 1000),
                Durations.requirePositive("greenlight.notifications.retry-delay",
                        props.resolveProperty("greenlight.notifications.retry-delay").orElse("10s")),
                Durations.requirePositive("greenlight.notifications.max-delay",
                        props.resolveProperty("greenlight.notifications.max-delay").orElse("5m")));
        registry.bind("notifications", notifications);
        registry.bind("notificationStore", store);
        registry.bind(NoAutomaticRetries.BEAN, new NoAutomaticRetries());
        registry.bind("notificationRelay", new NotificationRelay(config, secrets, store, backoff, clock, meters));
        registry.bind("notificationApi", new NotificationApi(store, notifications, audit));
        return notifications;
    }

    /** {@code greenlight.ssh.persist}: how long an idle SSH session outlives its deployment; 0 closes it at the end. */
    private static Duration sshPersist(PropertiesComponent props) {
        return Durations.requireDurationOrZero("greenlight.ssh.persist",
                props.resolveProperty("greenlight.ssh.persist").orElse("60s"), "closes sessions when each deployment ends");
    }

    /** {@code greenlight.review.window}: whole days ("30d"), or any duration of greenlight.yaml's. */
    private static Duration reviewWindow(String text) {
        String t = text.trim();
        if (t.matches("[1-9]\\d{0,4}d")) return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
        return Durations.requirePositive("greenlight.review.window", t);
    }

    /** The security alert: so many webhook deliveries with a bad signature within the window raise one. */
    private static BadSignatureBurst badSignatures(PropertiesComponent props, Notifications notifications,
                                                   GreenlightConfig config, Clock clock) {
        int limit = (int) number(props, "greenlight.notifications.bad-signature-limit", "10", 1, 1_000_000);
        Duration window = Durations.requirePositive("greenlight.notifications.bad-signature-window",
                props.resolveProperty("greenlight.notifications.bad-signature-window").orElse("5m"));
        return new BadSignatureBurst(notifications, new NoticeFactory(config.github().publicUrl(), clock), clock,
                limit, window);
    }

    /**
     * The registry camel-micrometer-prometheus serves at {@code /observe/metrics}: it takes one bound under its name
     * if there is one, so Camel's meters and Greenlight's land in the same scrape.
     */
    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry bound = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        if (bound != null) return bound;
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, prometheus);
        return prometheus;
    }

    /** The shortest lease TTL: below it, a slow database round trip or a GC pause could let a busy lease lapse. */
    static final Duration MIN_LEASE_TTL = Duration.ofSeconds(3);

    /**
     * {@code greenlight.lease.ttl}, and the heartbeat derived from it: a third of the TTL, so a lease outlives two
     * missed beats. The heartbeat is not a setting of its own, so no combination can let a busy lease lapse.
     */
    private static Duration leaseTtl(PropertiesComponent props) {
        String ttl = props.resolveProperty("greenlight.lease.ttl").orElse("60s");
        Duration leaseTtl = Durations.requirePositive("greenlight.lease.ttl", ttl);
        if (leaseTtl.compareTo(MIN_LEASE_TTL) < 0) {
            throw new ConfigException("greenlight.lease.ttl: \"" + ttl + "\" is too short: at least "
                    + MIN_LEASE_TTL.toSeconds() + "s (a lease is renewed every third of it)");
        }
        props.addOverrideProperty("greenlight.lease.heartbeat", String.valueOf(leaseTtl.toMillis() / 3));
        return leaseTtl;
    }

    /**
     * {@code greenlight.config.watch-period}: how often greenlight.yaml is looked at for a change (default 5s); 0 turns
     * the watch off (a reload is then asked for through the API). Read by routes/config.camel.yaml as a period in
     * milliseconds and whether the route starts.
     */
    private static void watchPeriod(PropertiesComponent props) {
        Duration period = Durations.requireDurationOrZero("greenlight.config.watch-period",
                props.resolveProperty("greenlight.config.watch-period").orElse("5s"), "turns the watch off");
        props.addOverrideProperty("greenlight.config.watch-ms", String.valueOf(Math.max(1, period.toMillis())));
        props.addOverrideProperty("greenlight.config.watching", String.valueOf(!period.isZero()));
    }

    /**
     * Vert.x only logs a port it cannot bind, and the service would run without its HTTP server: a port that is
     * taken stops the start instead, naming the setting.
     */
    private static void requireFree(PropertiesComponent props, String setting, int port) {
        if (port == 0) return;
        String host = props.resolveProperty(setting.replace(".port", ".host")).orElse("0.0.0.0");
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true); // as Vert.x binds: connections in TIME_WAIT do not make a port busy
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
            throw new ConfigException(setting + ": port " + port + " on " + host + " is not available ("
                    + e.getMessage() + ")");
        }
    }

    /**
     * A port as Camel Main configures its servers: a {@code -D} system property before everything else (the
     * properties component would put an environment variable first), then the environment variable (which
     * {@link Greenlight#newMain} hands to Main), then application.properties.
     */
    private static int port(PropertiesComponent props, String setting, String fallback) {
        String system = System.getProperty(setting);
        return (int) number(system != null ? system : props.resolveProperty(setting).orElse(fallback), setting,
                0, 65535);
    }

    /** Refusals of unknown callers: so many per client address and window are audited one by one. */
    private static RefusalLimiter refusalLimiter(PropertiesComponent props, AuditLog audit, Clock clock) {
        int limit = (int) number(props, "greenlight.http.refusal-limit", "20", 1, 1_000_000);
        String text = props.resolveProperty("greenlight.http.refusal-window").orElse("1m");
        Duration window = Durations.requirePositive("greenlight.http.refusal-window", text);
        return new RefusalLimiter(audit, clock, limit, window);
    }

    /** A whole-number setting; a bad one stops the start with a message naming it, like a bad greenlight.yaml. */
    private static long number(PropertiesComponent props, String property, String fallback, long min, long max) {
        return number(props.resolveProperty(property).orElse(fallback), property, min, max);
    }

    private static long number(String setting, String property, long min, long max) {
        String text = setting.trim();
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ConfigException(property + ": \"" + text + "\" must be a whole number from " + min + " to " + max);
    }

    /**
     * Threads for per-host work (a batch, the pre-checks, a rollback): they grow on demand, up to 256, so a batch of
     * 20 runs 20 hosts at once (Camel's default pool stops at 10 while its queue has room); past that the caller runs
     * the task itself. No queue: a task goes to an idle thread or a new one. The core size must be at least 1:
     * Camel turns a pool of 0 core threads without a queue into a pool of one thread, which ran every host of a batch
     * one after the other.
     */
    private static ExecutorService hostExecutor(CamelContext context) {
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("greenlight-hosts").poolSize(1).maxPoolSize(256)
                .maxQueueSize(0).keepAliveTime(60L).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build();
        return context.getExecutorServiceManager().newThreadPool(GreenlightConfiguration.class, "hosts", profile);
    }

    /** Registry credentials, when set, apply to the registry of the configured images only. */
    private static RegistryClient registryClient(Secrets secrets) {
        Optional<String> user = secrets.setting("GREENLIGHT_REGISTRY_USERNAME");
        Optional<String> password = secrets.fromVariable("GREENLIGHT_REGISTRY_PASSWORD");
        Optional<String> host = secrets.setting("GREENLIGHT_REGISTRY_HOST");
        if (user.isEmpty() || password.isEmpty() || host.isEmpty()) return new RegistryClient();
        return new RegistryClient(Map.of(host.get(), new RegistryCredentials(user.get(), password.get())), Map.of(),
                RegistryClient.DEFAULT_TIMEOUT);
    }

    /** A Camel property when set (tests, -D), else the environment variable, else the default. */
    private static String setting(PropertiesComponent props, Secrets secrets, String property, String variable,
                                  String fallback) {
        return props.resolveProperty(property).filter(v -> !v.isBlank())
                .or(() -> secrets.setting(variable)).orElse(fallback);
    }

    private static String instanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "greenlight";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Closes the connection pool when Camel stops. */
    private static final class Closer extends ServiceSupport {
        private final AutoCloseable resource;

        Closer(AutoCloseable resource) {
            this.resource = resource;
        }

        @Override
        protected void doStop() throws Exception {
            resource.close();
        }
    }
}
