package dev.atlas.core.fakes;

import dev.atlas.api.HostContext;
import dev.atlas.api.config.ConfigSection;
import dev.atlas.api.config.Problems;
import dev.atlas.api.driver.Driver;
import dev.atlas.api.driver.DriverException;
import dev.atlas.api.driver.DriverFactory;
import dev.atlas.api.driver.DriverHealth;
import dev.atlas.api.driver.JobRef;
import dev.atlas.api.driver.JobSpec;
import dev.atlas.api.driver.JobStatus;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/** A driver id {@code fake} on the test classpath that keeps jobs in memory and can be switched "down". */
@Extension
public final class FakeDriverFactory implements DriverFactory {
    /** Every fake driver's jobs, by task id, so tests can look. */
    public static final Map<String, JobSpec> JOBS = new ConcurrentHashMap<>();
    /** When true, every call fails as if the backend were unreachable. */
    public static volatile boolean down;
    /** The thread each task's submit ran on, by task id. */
    public static final Map<String, String> SUBMITTED_ON = new ConcurrentHashMap<>();
    /** How many submits reached any fake driver. */
    public static final java.util.concurrent.atomic.AtomicInteger SUBMITS = new java.util.concurrent.atomic.AtomicInteger();
    /** When set, a submit waits for it to open (counting down {@link #blocked} first), to hold a dispatch in flight. */
    public static volatile java.util.concurrent.CountDownLatch gate;
    /** Counted down by a submit that waits at {@link #gate}. */
    public static volatile java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(0);

    @Override
    public String id() {
        return "fake";
    }

    @Override
    public Driver configure(ConfigSection section, Problems problems) {
        section.allowOnly(Set.of("label"));
        return new FakeDriver();
    }

    /** The in-memory driver. */
    public static final class FakeDriver implements Driver {
        @Override
        public void open(HostContext host) {
        }

        @Override
        public JobRef submit(JobSpec spec) throws DriverException {
            SUBMITS.incrementAndGet();
            SUBMITTED_ON.put(spec.taskId(), Thread.currentThread().getName());
            java.util.concurrent.CountDownLatch wait = gate;
            if (wait != null) {
                blocked.countDown();
                try {
                    wait.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DriverException(DriverException.Kind.UNAVAILABLE, "interrupted");
                }
            }
            check();
            JobSpec previous = JOBS.putIfAbsent(spec.taskId(), spec);
            return new JobRef("fake/" + spec.name(), previous == null);
        }

        @Override
        public Optional<JobStatus> status(String taskId) throws DriverException {
            check();
            return Optional.ofNullable(JOBS.get(taskId))
                .map(s -> new JobStatus(taskId, "fake/" + s.name(), JobStatus.State.PENDING, "queued",
                    Optional.of(s.appId())));
        }

        @Override
        public boolean cancel(String taskId) throws DriverException {
            check();
            return JOBS.remove(taskId) != null;
        }

        @Override
        public DriverHealth health() {
            return down ? DriverHealth.down("fake backend down") : DriverHealth.up("fake");
        }

        @Override
        public void close() {
        }

        private static void check() throws DriverException {
            if (down) {
                throw new DriverException(DriverException.Kind.UNAVAILABLE, "fake backend down");
            }
        }
    }
}
