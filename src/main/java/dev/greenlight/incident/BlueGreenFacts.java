package dev.greenlight.incident;

import java.time.Instant;

/**
 * What a blue-green deployment records beside the common columns: the colour it deployed and the one it replaced,
 * its database backup, when traffic began to move, and the set-aside dump its rollback took before restoring (the
 * writes made between {@code backupAt} and {@code setAsideAt} are in that dump). Any of them may be null: a rollback
 * before the switch restores nothing. {@code liveColor} is the environment's live colour after the rollback.
 */
public record BlueGreenFacts(String color, String previousColor, String backupName, Instant backupAt,
                             Instant switchedAt, String setAsideName, Instant setAsideAt, String liveColor) {
}
