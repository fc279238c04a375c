package io.github.smtpscert;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Keeps the WARN (and worse) lines the given classes log while it is open; {@link #close()} detaches it again, so
 * later tests log as configured. The loggers' levels are not touched: log4j2-test.xml lets WARN through.
 */
final class LogCapture implements AutoCloseable {

    private final List<Logger> loggers = new ArrayList<>();
    private final Appender appender = new Appender();

    /** @param loggerNames the names of the loggers to listen to (class names: some classes are package-private) */
    LogCapture(String... loggerNames) {
        appender.start();
        for (String name : loggerNames) {
            Logger logger = (Logger) LogManager.getLogger(name);
            logger.addAppender(appender);
            loggers.add(logger);
        }
    }

    /** Every WARN or ERROR message so far, formatted, in order. */
    List<String> warnings() {
        return List.copyOf(appender.lines);
    }

    /** The WARN or ERROR messages so far that contain the text. */
    List<String> warnings(String containing) {
        return appender.lines.stream().filter(line -> line.contains(containing)).toList();
    }

    @Override
    public void close() {
        loggers.forEach(logger -> logger.removeAppender(appender));
        appender.stop();
    }

    private static final class Appender extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Appender() {
            super("reload-test-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        }
    }
}
