package dev.greenlight.deploy;

import java.time.Instant;

/**
 * What a blue-green deployment recorded (all null for a rolling one): the colour it went to and the one that was live,
 * its database backup, when the switch began, and the dump that set aside the writes made since the backup before a
 * restore (the window of set-aside writes is {@code backupAt} to {@code setAsideAt}).
 */
public record BlueGreenRecord(String color, String previousColor, String backupName, Instant backupAt,
                              Instant switchedAt, String setAsideName, Instant setAsideAt) {
}
