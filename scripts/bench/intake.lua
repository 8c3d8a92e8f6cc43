-- Durable intake: POST /api/v1/tenants/{code}/proposals with a valid JSON body.
-- Environment: BENCH_TENANT (tenant code), BENCH_RECEIPTS (file to write the receipt
-- numbers of every 201 to). Counts answers by status; prints BENCHJSON when done.
local tenant = os.getenv("BENCH_TENANT") or "141003"
local out = os.getenv("BENCH_RECEIPTS") or "/dev/null"

wrk.method = "POST"
wrk.path = "/api/v1/tenants/" .. tenant .. "/proposals"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"kind":"proposal","org_name":"株式会社ベンチ防災","partner_type":"company",]] ..
  [["corporate_number":null,"org_address":"大阪府岸和田市宮本町1番1号","contact_name":"連携 花子","email":"bench@example.co.jp",]] ..
  [["phone":"072-423-2121","title":"負荷試験の提案","summary":"地域の防災力を高める提案です。",]] ..
  [["details":"自主防災組織と連携した訓練を行います。","fields":["disaster"],"offers":["knowhow"],]] ..
  [["expected_effects":"避難の迅速化","fiscal_burden":"none","fiscal_explanation":"",]] ..
  [["publication_consent":true,"privacy_consent":true}]]

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  receipts = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local r = string.match(body, '"receipt_number"%s*:%s*"([^"]+)"')
    if r then receipts[#receipts + 1] = r end
  end
end

done = function(summary, latency, requests)
  local total = {}
  local f = io.open(out, "w")
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
    local r = t:get("receipts")
    for _, n in ipairs(r) do f:write(n, "\n") end
  end
  f:close()
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%d":%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"status_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"bytes":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect, e.read, e.write, e.timeout, summary.bytes,
    table.concat(parts, ",")))
end
