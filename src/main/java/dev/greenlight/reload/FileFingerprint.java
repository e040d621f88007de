package dev.greenlight.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A file's modification time, size and content digest. The time and size are cheap to read every few seconds; the
 * content is read only when they moved, and only a different digest counts as a change, so a {@code touch} or an
 * editor that writes the same bytes through a new file is no reload.
 */
record FileFingerprint(FileTime modified, long size, byte[] digest) {

    /** The file as it is now; empty when it cannot be read (then nothing is reloaded until it can). */
    static Optional<FileFingerprint> of(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new FileFingerprint(attributes.lastModifiedTime(), attributes.size(),
                    sha256(Files.readAllBytes(file))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The file now, read again only if its time or size differ from this one's; empty when it is unreadable. */
    Optional<FileFingerprint> now(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.lastModifiedTime().equals(modified) && attributes.size() == size) return Optional.of(this);
        } catch (IOException e) {
            return Optional.empty();
        }
        return of(file);
    }

    boolean sameContent(FileFingerprint other) {
        return Arrays.equals(digest, other.digest);
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }
}
