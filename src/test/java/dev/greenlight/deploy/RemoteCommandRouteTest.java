package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.ssh.SshException;
import dev.greenlight.ssh.SshHeaders;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.ssh.SshConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote-command route of {@code routes/remote-command.camel.yaml} on its own, with camel-test: the host's
 * {@code ssh:} endpoint is advised into a mock that answers as camel-ssh does, and the step records land in a real
 * database. What every stage and the rollback rely on: the step is open before anything is sent, the answer is
 * recorded, a non-zero exit fails the exchange, a command that cannot be sent fails its step with the reason, and an
 * optional command the environment does not define is no step at all.
 */
class RemoteCommandRouteTest extends CamelTestSupport {
    @TempDir
    static Path dir;

    private final TestDatabase db = TestDatabase.h2();
    private HikariDataSource dataSource;
    private DeploymentRun run;

    @Override
    public boolean isUseAdviceWith() {
        return true; // the context starts once the test has advised the route
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        dataSource = Database.open(db.url(), db.user(), null, db.schema(), 2);
        Jdbc jdbc = new Jdbc(dataSource);
        registry.bind("remoteCommands", new RemoteCommands(new StepStore(jdbc, Clock.systemUTC(),
                new Secrets(name -> null))));
        GreenlightConfig config = ConfigLoader.load(TestConfig.write(dir));
        EnvironmentConfig staging = config.environment("shop", "staging").orElseThrow();
        Sql.update(db, "insert into deployments (app, environment, version, strategy, trigger_kind, "
                + "triggered_by, status, created_at) values ('shop', 'staging', '1.2.3', 'rolling', 'manual', "
                + "'test', 'running', current_timestamp)");
        long id = ((Number) Sql.rows(db, "select max(id) as id from deployments").get(0).get("id")).longValue();
        run = new DeploymentRun(new Deployment(id, "shop", "staging", "1.2.3", null, null, "rolling", "manual",
                "test", DeploymentStatus.RUNNING, null, null, null, false, null, null, null, null, null, null, null, null,
                null, false, null, null, null),
                config.apps().get("shop"), staging);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() throws Exception {
                for (String file : List.of("routes/errors.camel.yaml", "routes/remote-command.camel.yaml")) {
                    PluginHelper.getRoutesLoader(getContext()).loadRoutes(
                            ResourceHelper.resolveMandatoryResource(getContext(), "file:" + file));
                }
            }
        };
    }

    @AfterEach
    void closeDatabase() throws Exception {
        dataSource.close();
        db.close();
    }

    @Test
    void theStepIsOpenBeforeTheCommandIsSentAndHoldsItsAnswer() throws Exception {
        MockEndpoint ssh = advisedSsh();
        ssh.whenAnyExchangeReceived(e -> {
            assertThat(steps()).as("open while the command runs").extracting("status").containsExactly("running");
            assertThat(e.getProperty(RemoteCommands.ENDPOINT, String.class))
                    .startsWith("ssh://127.0.0.1:9?").contains("failOnUnknownHost=true");
            answer(e, 0, "deployed 1.2.3\n");
        });
        ssh.expectedBodiesReceived("echo '1.2.3'"); // every value shell-quoted

        template.send("direct:remote-command", e -> e.setProperty(RemoteCall.PROPERTY, deploy()));

        ssh.assertIsSatisfied();
        Map<String, Object> step = steps().get(0);
        assertThat(step).containsEntry("stage", "deploy").containsEntry("host", "127.0.0.1:9")
                .containsEntry("status", "succeeded").containsEntry("exit_code", 0);
        assertThat(step.get("output")).isEqualTo("deployed 1.2.3\n");
        assertThat(step.get("finished_at")).isNotNull();
    }

    @Test
    void aNonZeroExitClosesTheStepAsFailedAndFailsTheExchange() throws Exception {
        advisedSsh().whenAnyExchangeReceived(e -> answer(e, 3, "no space left"));

        Exchange out = template.send("direct:remote-command", e -> e.setProperty(RemoteCall.PROPERTY, deploy()));

        assertThat(out.getException()).isInstanceOf(CommandFailedException.class)
                .hasMessage("deploy on 127.0.0.1:9 exited with status 3");
        assertThat(steps().get(0)).containsEntry("status", "failed").containsEntry("exit_code", 3)
                .containsEntry("detail", "exited with status 3");
    }

    @Test
    void aCommandThatCannotBeSentFailsItsStepWithTheReason() throws Exception {
        advisedSsh().whenAnyExchangeReceived(e -> {
            throw new SshException("cannot connect to 127.0.0.1:9: connection refused");
        });

        assertThat(send(deploy())).isInstanceOf(StepFailedException.class)
                .hasMessage("deploy on 127.0.0.1:9 failed: cannot connect to 127.0.0.1:9: connection refused");
        assertThat(steps().get(0)).containsEntry("status", "failed")
                .containsEntry("detail", "cannot connect to 127.0.0.1:9: connection refused");
    }

    @Test
    void anOptionalCommandTheEnvironmentDoesNotDefineIsNoStep() throws Exception {
        MockEndpoint ssh = advisedSsh();
        ssh.expectedMessageCount(0);
        RemoteCall undefined = context.getRegistry().lookupByNameAndType("remoteCommands", RemoteCommands.class)
                .call(run, run.firstHost(), "before-host");
        assertThat(undefined).isNull();

        template.send("direct:remote-command", e -> e.setProperty(RemoteCall.PROPERTY, undefined));

        ssh.assertIsSatisfied();
        assertThat(steps()).isEmpty();
    }

    private RemoteCall deploy() {
        return new RemoteCall(run, run.firstHost(), "deploy", 1, run.environment().command("deploy").orElseThrow(),
                Duration.ofSeconds(5), false, null);
    }

    private MockEndpoint advisedSsh() throws Exception {
        AdviceWith.adviceWith(context, "remote-command",
                a -> a.weaveById("send-command").replace().to("mock:ssh"));
        context.start();
        return getMockEndpoint("mock:ssh");
    }

    private Throwable send(RemoteCall call) {
        return template.send("direct:remote-command", e -> e.setProperty(RemoteCall.PROPERTY, call)).getException();
    }

    /** As camel-ssh (and Greenlight's pooled producer) answers: stdout as the body, the exit code in a header. */
    private static void answer(Exchange e, int exitCode, String stdout) {
        e.getMessage().setBody(stdout);
        e.getMessage().setHeader(SshConstants.EXIT_VALUE, exitCode);
        e.getMessage().setHeader(SshHeaders.DURATION, Duration.ofMillis(12));
    }

    private List<Map<String, Object>> steps() {
        return Sql.rows(db, "select stage, host, status, exit_code, output, detail, finished_at from deployment_steps "
                + "where deployment_id = " + run.id() + " order by id");
    }
}
