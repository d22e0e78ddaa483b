package dev.atlas.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.atlas.core.metrics.MicrometerMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SheddingAsyncAppenderTest {
    private final LoggerContext context = new LoggerContext();

    SheddingAsyncAppenderTest() {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    /** The output: takes the first line and then waits, as a stalled stdout would, until released. */
    private static final class StalledOutput extends AppenderBase<ILoggingEvent> {
        final CountDownLatch tookFirst = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            written.add(event.getMessage());
            tookFirst.countDown();
            try {
                released.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private LoggingEvent line(String logger, Level level, String message) {
        Logger source = context.getLogger(logger);
        return new LoggingEvent(Logger.class.getName(), source, level, message, null, null);
    }

    @Test
    void aStalledOutputShedsRoutineLinesButKeepsAuditLinesWarningsAndErrors() throws Exception {
        StalledOutput output = new StalledOutput();
        output.setContext(context);
        output.start();
        SheddingAsyncAppender appender = new SheddingAsyncAppender();
        appender.setContext(context);
        appender.setQueueSize(8);
        appender.setDiscardingThreshold(4);
        appender.setNeverBlock(false);
        appender.setMaxFlushTime(5000);
        appender.addAppender(output);
        appender.start();
        long shedBefore = SheddingAsyncAppender.shed();

        appender.doAppend(line("dev.atlas.webhooks.WebhookSpoolStep", Level.INFO, "first"));
        assertThat(output.tookFirst.await(10, TimeUnit.SECONDS)).isTrue();
        // the output is stalled from here: eight places, routine lines shed once fewer than four are free
        for (int i = 1; i <= 5; i++) {
            appender.doAppend(line("dev.atlas.webhooks.WebhookSpoolStep", Level.INFO, "routine " + i));
        }
        appender.doAppend(line("dev.atlas.webhooks.WebhookSpoolStep", Level.INFO, "routine 6"));
        appender.doAppend(line("dev.atlas.webhooks.WebhookDelivery", Level.DEBUG, "routine 7"));
        appender.doAppend(line(SheddingAsyncAppender.AUDIT_LOGGER, Level.INFO, "proxy decision deny"));
        appender.doAppend(line("atlas.auditor", Level.INFO, "routine 8, a logger that only starts alike"));
        appender.doAppend(line("dev.atlas.webhooks.WebhookDelivery", Level.WARN, "cannot deliver"));
        appender.doAppend(line("dev.atlas.core.outbox.SpoolJournal", Level.ERROR, "cannot sync"));

        assertThat(SheddingAsyncAppender.shed() - shedBefore).isEqualTo(3);
        output.released.countDown();
        appender.stop();
        assertThat(output.written).containsExactly("first", "routine 1", "routine 2", "routine 3", "routine 4",
            "routine 5", "proxy decision deny", "cannot deliver", "cannot sync");
    }

    @Test
    void anOutputThatKeepsUpShedsNothing() {
        List<String> written = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> output = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                written.add(event.getMessage());
            }
        };
        output.setContext(context);
        output.start();
        SheddingAsyncAppender appender = new SheddingAsyncAppender();
        appender.setContext(context);
        appender.setQueueSize(8192);
        appender.setDiscardingThreshold(1024);
        appender.addAppender(output);
        appender.start();
        long shedBefore = SheddingAsyncAppender.shed();
        for (int i = 0; i < 1000; i++) {
            appender.doAppend(line("dev.atlas.webhooks.WebhookSpoolStep", Level.INFO, "line " + i));
        }
        appender.stop();
        assertThat(written).hasSize(1000).startsWith("line 0").endsWith("line 999");
        assertThat(SheddingAsyncAppender.shed()).isEqualTo(shedBefore);
    }

    @Test
    void theShippedConfigurationSendsEveryLineThroughTheSheddingAppender() throws Exception {
        LoggerContext shipped = new LoggerContext();
        shipped.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ch.qos.logback.classic.joran.JoranConfigurator configurator = new ch.qos.logback.classic.joran.JoranConfigurator();
        configurator.setContext(shipped);
        configurator.doConfigure(SheddingAsyncAppenderTest.class.getResource("/logback.xml"));
        Logger root = shipped.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("async")).isInstanceOfSatisfying(SheddingAsyncAppender.class, async -> {
            assertThat(async.getQueueSize()).isEqualTo(8192);
            assertThat(async.getDiscardingThreshold()).isEqualTo(1024);
            assertThat(async.isNeverBlock()).isFalse();
            assertThat(async.getAppender("json")).isNotNull();
        });
        assertThat(root.iteratorForAppenders()).toIterable().hasSize(1);
        shipped.stop();
    }

    @Test
    void theShedLinesAreAMetric() throws Exception {
        aStalledOutputShedsRoutineLinesButKeepsAuditLinesWarningsAndErrors(); // at least three shed in this process
        MicrometerMetrics metrics = new MicrometerMetrics();
        metrics.bindProcessMeters("test");
        String scrape = metrics.scrape();
        assertThat(scrape).contains(
            "# HELP atlas_log_lines_shed_total routine log lines dropped because the log output could not keep up");
        java.util.regex.Matcher value = java.util.regex.Pattern.compile("(?m)^atlas_log_lines_shed_total (\\S+)$")
            .matcher(scrape);
        assertThat(value.find()).isTrue();
        assertThat(Double.parseDouble(value.group(1))).isEqualTo((double) SheddingAsyncAppender.shed())
            .isGreaterThanOrEqualTo(3.0);
    }
}
