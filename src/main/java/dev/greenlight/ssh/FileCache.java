package dev.greenlight.ssh;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Parsed form of files, looked at on every use (every SSH connection) and parsed again when a file's stamp (time,
 * size, identity) differs, so that rotated keys and edited known_hosts files take effect at the next connection,
 * without a restart.
 */
final class FileCache<T> {

    private record Entry<T>(FileStamp stamp, T value) {
    }

    private final Function<Path, T> loader;
    private final Map<Path, Entry<T>> entries = new ConcurrentHashMap<>();

    FileCache(Function<Path, T> loader) {
        this.loader = loader;
    }

    /** The parsed file; the loader's exception propagates when the file cannot be read or parsed. */
    T get(Path file) {
        FileStamp stamp = FileStamp.of(file);
        if (!stamp.readable()) {
            entries.remove(stamp.file());
            return loader.apply(file); // reports the missing or unreadable file in its own words
        }
        return entries.compute(stamp.file(), (k, cached) -> cached != null && cached.stamp().equals(stamp)
                ? cached
                : new Entry<>(stamp, loader.apply(file))).value();
    }
}
