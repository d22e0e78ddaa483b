-- wrk script: signed GitHub push webhooks, each body unique within WEBHOOK_BODIES (one "signature<TAB>body" per
-- line, made by run-webhook-bench.sh) and each delivery id unique within the run (RUN_ID, thread, counter).
-- Thread i of n sends the lines i, i+n, i+2n... so that no two threads send one body at once.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
  thread:set("nthreads", tonumber(os.getenv("WRK_THREADS") or "2"))
end

local sigs, bodies, n, i, run = {}, {}, 0, 0, os.getenv("RUN_ID") or "run"
function init(args)
  local k = 0
  for line in io.lines(os.getenv("WEBHOOK_BODIES")) do
    if k % nthreads == tid then
      local tab = line:find("\t", 1, true)
      n = n + 1
      sigs[n] = line:sub(1, tab - 1)
      bodies[n] = line:sub(tab + 1)
    end
    k = k + 1
  end
end

function request()
  i = i + 1
  local j = (i - 1) % n + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = run .. "-" .. tid .. "-" .. i,
    ["X-Hub-Signature-256"] = "sha256=" .. sigs[j],
  }, bodies[j])
end

-- COUNT_ACCEPTED=1: counts the answers that accepted a new webhook (202 without "duplicate"); done() prints
-- "accepted: N" (the delivery benchmark compares it with what the sink received).
if os.getenv("COUNT_ACCEPTED") == "1" then
  local all = {}
  local previous_setup = setup
  setup = function(thread)
    previous_setup(thread)
    table.insert(all, thread)
  end
  accepted = 0
  response = function(status, headers, body)
    if status == 202 and not body:find("duplicate", 1, true) then
      accepted = accepted + 1
    end
  end
  done = function(summary, latency, requests)
    local total = 0
    for _, thread in ipairs(all) do
      total = total + (thread:get("accepted") or 0)
    end
    io.write(string.format("accepted: %d\n", total))
  end
end

-- TAIL_LATENCY=1: done() prints "tail: P99.9 MAX" (microseconds), the part of the tail wrk's --latency leaves out.
if os.getenv("TAIL_LATENCY") == "1" then
  done = function(summary, latency, requests)
    io.write(string.format("tail: %d %d\n", latency:percentile(99.9), latency.max))
  end
end
