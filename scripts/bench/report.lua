-- Prints one machine-readable summary line (BENCHJSON {...}) when wrk is done.
-- Used by scripts/bench.sh for every GET endpoint; the Cookie / Authorization
-- headers come from wrk's -H options.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"status_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"bytes":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
