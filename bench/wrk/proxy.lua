-- wrk script: the analysis cloud's GraphQL call through the proxy: POST viewer { login } with the cloud's JWT
-- (env JWT) for app gh-main. The baselines receive the same request and ignore the headers.
local body = '{"query":"query { viewer { login } }"}'
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. os.getenv("JWT"),
  ["X-App-ID"] = "gh-main",
}
function request()
  return wrk.format("POST", nil, headers, body)
end
