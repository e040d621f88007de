package dev.greenlight.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

/**
 * What the service's log would print while it is open: an appender on the root logger with the pattern of the
 * console appender configured in logback.xml (its converters included), writing to memory.
 */
public final class LogCapture implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private final Logger root;

    public LogCapture() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var console = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(((PatternLayoutEncoder) console.getEncoder()).getPattern());
        encoder.start();
        appender.setContext(context);
        appender.setName("capture");
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        root.addAppender(appender);
    }

    /** The configured pattern, to show that the capture writes what the console does. */
    public static String configuredPattern() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var console = (OutputStreamAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .getAppender("STDOUT");
        return ((PatternLayoutEncoder) console.getEncoder()).getPattern();
    }

    public synchronized String text() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
