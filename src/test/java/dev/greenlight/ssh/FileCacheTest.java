package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCacheTest {

    @TempDir
    Path tmp;

    private final AtomicInteger loads = new AtomicInteger();
    private final FileCache<String> cache = new FileCache<>(file -> {
        loads.incrementAndGet();
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    @Test
    void loadsOnceUntilTheFileChanges() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "one");
        assertThat(cache.get(file)).isEqualTo("one");
        assertThat(cache.get(tmp.resolve(".").resolve("f"))).isEqualTo("one");
        assertThat(loads).hasValue(1);

        Files.writeString(file, "two");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(cache.get(file)).isEqualTo("two");
        assertThat(loads).hasValue(2);
    }

    @Test
    void aFileRenamedOverTheOldOneIsLoadedAgainEvenWithTheSameTimeAndSize() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "one");
        FileTime time = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        Files.setLastModifiedTime(file, time);
        assertThat(cache.get(file)).isEqualTo("one");

        Path replacement = Files.writeString(tmp.resolve("f.new"), "two");
        Files.setLastModifiedTime(replacement, time);
        Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(cache.get(file)).isEqualTo("two");
        assertThat(loads).hasValue(2);
    }

    @Test
    void missingFileGoesToTheLoaderEveryTime() {
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> cache.get(missing)).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> cache.get(missing)).isInstanceOf(UncheckedIOException.class);
        assertThat(loads).hasValue(2);
    }
}
