package dev.greenlight.deploy;

import dev.greenlight.config.NotificationEvent;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the pipelines tell the chat channels. The deployment packages only say what happened; the notifications
 * feature, built on top of them, decides who hears it and writes the messages to its outbox.
 */
public interface DeploymentNotices {
    /** Tells nobody: for stores and tests that run without notifications. */
    DeploymentNotices NONE = new DeploymentNotices() {
        @Override
        public void changed(Connection c, long deploymentId) {
        }

        @Override
        public void alert(long deploymentId, NotificationEvent event, String reason) {
        }

        @Override
        public void wake() {
        }
    };

    /**
     * The deployment's status has just changed in {@code c}'s transaction: its messages are written there too, so
     * they commit (or roll back) with the change.
     */
    void changed(Connection c, long deploymentId) throws SQLException;

    /** An alert about a running deployment (a host's health checks exhausted, a failing watch), in its own transaction. */
    void alert(long deploymentId, NotificationEvent event, String reason);

    /** After the commit of a transaction that called {@link #changed}: deliver now rather than at the next tick. */
    void wake();
}
