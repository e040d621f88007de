package dev.greenlight.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An environment's optional host resource checks, run on every host during the pre-check: the disk holding
 * {@code disk.path} may be at most {@code max-used} full, and the host needs at least {@code min-available} memory
 * (the kernel's MemAvailable). Either may be left out (null).
 */
public record HostChecks(Disk disk, Memory memory) {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|K|KB|KiB|M|MB|MiB|G|GB|GiB|T|TB|TiB)");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");

    /** @param maxUsedPercent the highest share of the file system in use (df's capacity) that passes, 1 to 99 */
    public record Disk(String path, int maxUsedPercent) {
    }

    public record Memory(long minAvailableBytes) {
    }

    /** A size such as {@code 256MB}; the units count in 1024s, as {@code free} and /proc/meminfo do. */
    public static Optional<Long> parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        int power = "BKMGT".indexOf(m.group(2).charAt(0));
        long bytes = Long.parseLong(m.group(1)) << (10 * power);
        return bytes > 0 && bytes >> (10 * power) == Long.parseLong(m.group(1)) ? Optional.of(bytes) : Optional.empty();
    }

    /** A share such as {@code 90%}, from 1% to 99% (100% would let a full disk pass). */
    public static Optional<Integer> parsePercent(String text) {
        Matcher m = PERCENT.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        int percent = Integer.parseInt(m.group(1));
        return percent >= 1 && percent <= 99 ? Optional.of(percent) : Optional.empty();
    }

    /** A size for people, in the largest unit that keeps it at or over 1 (one decimal). */
    public static String formatSize(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
