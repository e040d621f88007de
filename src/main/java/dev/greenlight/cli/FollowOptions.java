package dev.greenlight.cli;

import dev.greenlight.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --follow} and how often it reads the deployment again. */
final class FollowOptions {
    @Option(names = {"-f", "--follow"}, description = "follow the deployment until it ends, and exit with its outcome")
    boolean follow;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "how often --follow reads the deployment (500ms, 2s, 1m; default: ${DEFAULT-VALUE})")
    Duration interval;

    /** After an action that leaves {@code id} under way: follows it if asked, else the action's own exit. */
    Exit after(DeploymentWatch watch, long id) {
        return follow ? watch.follow(id, interval) : Exit.OK;
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parsePositive(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not a duration (examples: 500ms, 2s, 1m)"));
        }
    }
}
