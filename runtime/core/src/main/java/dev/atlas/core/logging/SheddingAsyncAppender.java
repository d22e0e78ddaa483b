package dev.atlas.core.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one background writer of Atlas's log lines ({@code logback.xml}). A line is queued and written by the
 * appender's thread, never on the request's thread. When the output cannot keep up (a stalled stdout, a slow log
 * collector) and the queue is nearly full (fewer free places than {@code discardingThreshold}), routine lines
 * (INFO and below) are shed and counted ({@code atlas_log_lines_shed_total}) instead of making the logging thread
 * wait, which on an HTTP event loop would stall every request it serves. Audit lines ({@value #AUDIT_LOGGER}: the
 * proxy's allow and deny decisions) and warnings and errors are never shed: they wait for room.
 */
public class SheddingAsyncAppender extends AsyncAppender {
    /** The logger of audit lines, which are never shed. */
    public static final String AUDIT_LOGGER = "atlas.audit";
    private static final LongAdder SHED = new LongAdder();

    /** How many lines every such appender of this process has shed since it started. */
    public static long shed() {
        return SHED.sum();
    }

    /** Asked only while the queue is nearly full: true sheds the line (and counts it). */
    @Override
    protected boolean isDiscardable(ILoggingEvent event) {
        boolean routine = event.getLevel().toInt() <= Level.INFO_INT
            && !(event.getLoggerName().equals(AUDIT_LOGGER) || event.getLoggerName().startsWith(AUDIT_LOGGER + "."));
        if (routine) {
            SHED.increment();
        }
        return routine;
    }
}
