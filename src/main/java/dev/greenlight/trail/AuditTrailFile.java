package dev.greenlight.trail;

import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code audit.markdown-file} up to date: the whole trail, rewritten after each finished deployment and at
 * start-up ({@code routes/audit.camel.yaml}). The file is written next to its target under a temporary name and
 * moved over it atomically, so a reader sees the old document or the new one, never half of one. A failure is a
 * warning and nothing else: the deployment has ended already, and the next rewrite tries again.
 */
public final class AuditTrailFile {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrailFile.class);
    /** One pending rewrite is enough, however many deployments end meanwhile: it renders what is stored then. */
    static final String WAKE = "seda:audit-trail-file?size=1&discardWhenFull=true&waitForTaskToComplete=Never";

    private final Optional<Path> file;
    private final DeploymentStore deployments;
    private final AuditTrailDocument document;
    private final ProducerTemplate producer;

    public AuditTrailFile(Optional<Path> file, DeploymentStore deployments, AuditTrailDocument document,
                          ProducerTemplate producer) {
        this.file = file;
        this.deployments = deployments;
        this.document = document;
        this.producer = producer;
    }

    /** Asks for a rewrite (after a deployment ended; its transaction has committed). */
    public void wake() {
        if (file.isPresent()) producer.sendBody(WAKE, ExchangePattern.InOnly, "rewrite");
    }

    /** Rewrites the file with every deployment; true when it was written (or none is configured). */
    public boolean write() {
        if (file.isEmpty()) return true;
        Path target = file.get().toAbsolutePath();
        Path temp = null;
        try {
            String markdown = document.markdown(deployments.list(Scope.EVERYTHING, null, null, null, null,
                    Page.newest(Integer.MAX_VALUE)), null);
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            Files.writeString(temp, markdown, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("audit.markdown-file: could not write {} ({}); it is written again after the next deployment "
                    + "or at the next start", target, e.toString());
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the warning above says what failed; a stray temporary file is all that is left
                }
            }
            return false;
        }
    }
}
