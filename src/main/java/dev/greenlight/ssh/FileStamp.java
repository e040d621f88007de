package dev.greenlight.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What a file looked like when it was read: its modification time, size and identity (its inode, which a file renamed
 * over the old one changes even with the same time and size); null/-1 when it could not be read. A different stamp
 * means the file was replaced or edited since.
 */
record FileStamp(Path file, FileTime modified, long size, Object identity) {

    static FileStamp of(Path file) {
        Path key = file.toAbsolutePath().normalize();
        try {
            BasicFileAttributes attributes = Files.readAttributes(key, BasicFileAttributes.class);
            return new FileStamp(key, attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            return new FileStamp(key, null, -1, null);
        }
    }

    boolean readable() {
        return modified != null;
    }
}
