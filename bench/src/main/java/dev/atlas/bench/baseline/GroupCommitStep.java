package dev.atlas.bench.baseline;

import dev.atlas.bench.GroupCommit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * The durable Camel baseline's one step: hands the request's body to a {@link GroupCommit} and lets the route go on
 * once it is synced (an asynchronous processor: no thread waits in this step; Camel's platform-http consumer still
 * holds its worker until the exchange ends, as it does for every route).
 */
public final class GroupCommitStep extends AsyncProcessorSupport {
    private final GroupCommit commit;

    public GroupCommitStep(GroupCommit commit) {
        this.commit = commit;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        commit.submit(body == null ? new byte[0] : body, () -> callback.done(false), failure -> {
            exchange.setException(failure);
            callback.done(false);
        });
        return false;
    }
}
