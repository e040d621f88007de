package dev.greenlight.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Parsed form of files, looked at on every use (every SSH connection) and parsed again when a file's modification
 * time, size or identity (its inode, which a file renamed over the old one changes) differs, so that rotated keys and
 * edited known_hosts files take effect at the next connection, without a restart.
 */
final class FileCache<T> {

    private record Entry<T>(FileTime modified, long size, Object identity, T value) {
    }

    private final Function<Path, T> loader;
    private final Map<Path, Entry<T>> entries = new ConcurrentHashMap<>();

    FileCache(Function<Path, T> loader) {
        this.loader = loader;
    }

    /** The parsed file; the loader's exception propagates when the file cannot be read or parsed. */
    T get(Path file) {
        Path key = file.toAbsolutePath().normalize();
        BasicFileAttributes attributes = attributes(key);
        if (attributes == null) {
            entries.remove(key);
            return loader.apply(file); // reports the missing or unreadable file in its own words
        }
        return entries.compute(key, (k, cached) -> cached != null
                && cached.modified().equals(attributes.lastModifiedTime()) && cached.size() == attributes.size()
                && Objects.equals(cached.identity(), attributes.fileKey())
                ? cached
                : new Entry<>(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(),
                loader.apply(file))).value();
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }
}
