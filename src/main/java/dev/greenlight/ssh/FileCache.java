package dev.greenlight.ssh;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Parsed form of files, reloaded when a file's modification time or size changes,
 * so that rotated keys and edited known_hosts files take effect without a restart.
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
