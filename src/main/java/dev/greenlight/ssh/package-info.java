/**
 * Runs commands on deployment hosts over SSH.
 *
 * <p>{@link dev.greenlight.ssh.SshSessionPool} is the entry point: one instance for the service, shared by
 * all deployments. {@code exec(target, command, timeout)} reuses one authenticated session per
 * {@link dev.greenlight.ssh.SshTarget}, returns a {@link dev.greenlight.ssh.CommandResult} (a non-zero exit
 * is a result, not an exception) and throws {@link dev.greenlight.ssh.SshException} when the host cannot
 * be reached, trusted or authenticated to. Exception messages are written for operators and are safe to
 * store: they never contain key material or command text.
 *
 * <p>Security is not configurable: public key authentication only, with the target's key file, and the
 * server's host key must be listed for the target's host and port in the target's known_hosts file
 * (plain {@code host} entries for port 22, {@code [host]:port} otherwise; hashed entries are not supported).
 *
 * <p>Routes and beans reach it through camel-ssh's {@code ssh:} URIs: {@link dev.greenlight.ssh.PooledSshComponent}
 * is camel-ssh's component with a producer on this pool ({@link dev.greenlight.ssh.SshEndpointUri} builds the URI
 * of a target). camel-ssh's own producer opens a connection per message, cannot time out a running command and
 * does not read {@code [host]:port} known_hosts entries.
 */
package dev.greenlight.ssh;
