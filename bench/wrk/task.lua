-- wrk script: analysis tasks, POST {path}/<unique id> with the body in TASK_BODY (a file) and the cloud's JWT
-- (env JWT). The baselines answer any POST path.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local body, i, run = nil, 0, os.getenv("RUN_ID") or "run"
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("JWT")}
function init(args)
  local f = io.open(os.getenv("TASK_BODY"))
  body = f:read("*a")
  f:close()
end

function request()
  i = i + 1
  return wrk.format("POST", wrk.path .. "/bench-" .. run .. "-" .. tid .. "-" .. i, headers, body)
end
