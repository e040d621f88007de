package dev.greenlight.deploy;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A host's figures as the host-check command printed them: {@code df -P -k} (a header, then one line per file system:
 * name, 1024-blocks, used, available, capacity, mount point) and /proc/meminfo. A figure the output lacks is null.
 *
 * @param diskUsedPercent df's capacity: used blocks over the blocks a user may have, rounded up
 */
public record HostReading(Integer diskUsedPercent, Long diskAvailableBytes, Long memoryAvailableBytes) {
    // the name may contain spaces, so the figures are found from the capacity backwards
    private static final Pattern DF_LINE = Pattern.compile("^.*?\\s(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)%\\s+/.*$");
    private static final Pattern MEM_AVAILABLE = Pattern.compile("^MemAvailable:\\s+(\\d+)\\s+kB\\s*$");

    public static HostReading parse(String output) {
        Integer used = null;
        Long diskAvailable = null;
        Long memory = null;
        for (String line : (output == null ? "" : output).split("\\R")) {
            Matcher df = DF_LINE.matcher(line);
            if (used == null && df.matches()) {
                used = Integer.parseInt(df.group(4));
                diskAvailable = Long.parseLong(df.group(3)) * 1024;
            }
            Matcher mem = MEM_AVAILABLE.matcher(line);
            if (mem.matches()) memory = Long.parseLong(mem.group(1)) * 1024;
        }
        return new HostReading(used, diskAvailable, memory);
    }

    public Optional<Integer> disk() {
        return Optional.ofNullable(diskUsedPercent);
    }

    public Optional<Long> memory() {
        return Optional.ofNullable(memoryAvailableBytes);
    }
}
