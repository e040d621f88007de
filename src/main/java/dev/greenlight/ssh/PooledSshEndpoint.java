package dev.greenlight.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.ssh.SshConfiguration;
import org.apache.camel.component.ssh.SshEndpoint;
import org.apache.sshd.common.channel.Channel;

/**
 * A camel-ssh endpoint that only runs commands in exec mode, by public key, against verified host keys: the
 * options that would weaken that (a password, a key pair provider, {@code failOnUnknownHost=false}, a shell
 * channel) are refused when the endpoint is created, not ignored.
 */
public final class PooledSshEndpoint extends SshEndpoint {
    /** Greenlight's option: milliseconds a command may run before it is stopped and its step fails. */
    public static final String COMMAND_TIMEOUT = "commandTimeout";
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);
    /** Greenlight's option: at most this many sessions of the endpoint's start group are being opened at once. */
    public static final String MAX_CONCURRENT_STARTS = "maxConcurrentStarts";
    /** Greenlight's option: the endpoints sharing one bound on concurrent starts (an environment). */
    public static final String START_GROUP = "startGroup";

    private final SshSessionPool sessions;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private int maxConcurrentStarts = SshSessionPool.DEFAULT_MAX_CONCURRENT_STARTS;
    private String startGroup = "";

    PooledSshEndpoint(String uri, PooledSshComponent component, SshConfiguration configuration,
                      SshSessionPool sessions) {
        super(uri, component, configuration);
        this.sessions = sessions;
    }

    @Override
    public Producer createProducer() {
        return new PooledSshProducer(this, sessions, target(), commandTimeout,
                sessions.startGate(startGroup, maxConcurrentStarts));
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ssh: endpoints here run commands; polling is not offered");
    }

    @Override
    public boolean isSingletonProducer() {
        return true; // the producer keeps no per-message state; the pool is thread-safe
    }

    void setCommandTimeout(String millis) {
        long value;
        try {
            value = Long.parseLong(millis.trim());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value <= 0) throw new IllegalArgumentException(COMMAND_TIMEOUT + " must be a positive number of "
                + "milliseconds, got " + millis);
        this.commandTimeout = Duration.ofMillis(value);
    }

    void setMaxConcurrentStarts(String count) {
        int value;
        try {
            value = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value <= 0) throw new IllegalArgumentException(MAX_CONCURRENT_STARTS + " must be a positive whole number, got "
                + count);
        this.maxConcurrentStarts = value;
    }

    void setStartGroup(String group) {
        this.startGroup = group;
    }

    /** The connection this endpoint stands for; throws on any option Greenlight does not run with. */
    SshTarget target() {
        SshConfiguration c = getConfiguration();
        refuse(c.getPassword() != null || c.getCertResourcePassword() != null,
                "passwords are not accepted: authenticate with an unencrypted key in certResource");
        refuse(c.getKeyPairProvider() != null, "keyPairProvider is not supported: give the key file as certResource");
        refuse(!c.isFailOnUnknownHost(), "failOnUnknownHost=true is required: host keys are always verified");
        refuse(!Channel.CHANNEL_EXEC.equals(c.getChannelType()), "only channelType=exec is supported");
        refuse(c.getClientBuilder() != null || c.getCiphers() != null || c.getMacs() != null
                        || c.getSignatures() != null || c.getCompressions() != null,
                "clientBuilder, ciphers, macs, signatures and compressions are not supported: one SSH client serves "
                        + "every endpoint (kex is)");
        refuse(c.getUsername() == null || c.getUsername().isBlank(), "username is required");
        refuse(c.getTimeout() <= 0, "timeout must be positive");
        Path key = SshEndpointUri.file("certResource", c.getCertResource());
        Path knownHosts = SshEndpointUri.file("knownHostsResource", c.getKnownHostsResource());
        List<String> kex = c.getKex() == null ? List.of()
                : Arrays.stream(c.getKex().split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
        return new SshTarget(bare(c.getHost()), c.getPort(), c.getUsername(), key, knownHosts,
                Duration.ofMillis(c.getTimeout()), kex);
    }

    private static void refuse(boolean condition, String why) {
        if (condition) throw new IllegalArgumentException(why);
    }

    private static String bare(String host) {
        return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
                : host;
    }
}
