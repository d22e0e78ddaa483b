package dev.atlas.core.cli;

import sun.misc.Signal;

/**
 * Handles SIGTERM and SIGINT itself instead of letting the JVM run its shutdown hooks and exit with 143 or 130: the
 * handler starts a graceful stop on its own thread, and {@code atlas run} exits 0 once it has finished.
 */
final class StopSignals {
    private StopSignals() {
    }

    static void install(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                Thread stopper = new Thread(stop, "atlas-stop");
                stopper.start();
            });
        }
    }
}
