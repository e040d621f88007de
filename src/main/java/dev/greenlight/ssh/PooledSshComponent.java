package dev.greenlight.ssh;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

import org.apache.camel.Endpoint;
import org.apache.camel.component.ssh.SshComponent;
import org.apache.camel.component.ssh.SshConfiguration;
import org.apache.camel.spi.annotations.Component;

/**
 * camel-ssh's {@code ssh:} component with Greenlight's producer: endpoints take camel-ssh's URI and options and
 * answer with its headers, but run commands on sessions kept in a {@link SshSessionPool} (camel-ssh's producer
 * connects and authenticates for every message and waits without limit for a command to end).
 */
@Component("ssh") // camel-ssh's name: Camel finds the option configurers of the ssh component and endpoint by it
public final class PooledSshComponent extends SshComponent {
    private final SshSessionPool sessions;

    public PooledSshComponent(SshSessionPool sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SshConfiguration configuration = getConfiguration().copy();
        configuration.configure(new URI(uri));
        Object commandTimeout = parameters.remove(PooledSshEndpoint.COMMAND_TIMEOUT);
        Object maxConcurrentStarts = parameters.remove(PooledSshEndpoint.MAX_CONCURRENT_STARTS);
        Object startGroup = parameters.remove(PooledSshEndpoint.START_GROUP);
        PooledSshEndpoint endpoint = new PooledSshEndpoint(uri, this, configuration, sessions);
        setProperties(endpoint, parameters);
        if (commandTimeout != null) endpoint.setCommandTimeout(commandTimeout.toString());
        if (maxConcurrentStarts != null) endpoint.setMaxConcurrentStarts(maxConcurrentStarts.toString());
        if (startGroup != null) endpoint.setStartGroup(startGroup.toString());
        endpoint.target(); // refuses a password, a missing key or known_hosts file, or unchecked host keys now
        return endpoint;
    }
}
