package dev.atlas.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one logger writes (INFO and above) while a test's action runs, with their MDC. */
public final class LogLines {
    /** An action that may throw. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private LogLines() {
    }

    /** Runs {@code action} and returns what logger {@code name} wrote meanwhile; the logger is left as it was. */
    public static List<ILoggingEvent> during(String name, Action action) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(lines);
        try {
            action.run();
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
        return lines.list;
    }
}
