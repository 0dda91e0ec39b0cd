# tools/perf-fleet.jq: perf-fleet.sh's JSON lines as PERF.md's table rows
# (jq -rs -f tools/perf-fleet.jq FILE): for each mode, window and number of
# clients, the rounds' acked/s of auditd and of ringauditd, the ratio of
# their means, records/s per client (means), ack p50 and p99 each round,
# server CPU per record acked (means), records lost each round.
def r1: . * 10 | round / 10;
def fmt: if . >= 1000 then (round | tostring | .[0:length-3] + "," + .[length-3:]) else (r1 | tostring) end;
def mean: add / length;
def ms: if . >= 1000000 then "\(. / 1000000 * 10 | round / 10) s" else "\(. / 1000 | r1) ms" end;
group_by([.flush_mode, .window, .clients])[]
| . as $g
| ($g | map(select(.daemon == "auditd"))) as $a
| ($g | map(select(.daemon == "ringauditd"))) as $r
| select(($a | length) > 0 and ($r | length) > 0)
| "| \($g[0].flush_mode) | \($g[0].window) | \($g[0].clients | fmt) | "
  + ($a | map(.rate | fmt) | join(" / ")) + " | "
  + ($r | map(.rate | fmt) | join(" / ")) + " | **"
  + ((($r | map(.rate) | mean) / ($a | map(.rate) | mean)) * 100 | round / 100 | tostring) + "** | "
  + ($a | map(.rate_per_client) | mean | fmt) + " / " + ($r | map(.rate_per_client) | mean | fmt) + " | "
  + ($a | map("\(.lat_p50_us | ms), \(.lat_p99_us | ms)") | join("; ")) + " | "
  + ($r | map("\(.lat_p50_us | ms), \(.lat_p99_us | ms)") | join("; ")) + " | "
  + ($a | map(.cpu_us_per_record) | mean | r1 | tostring) + " / " + ($r | map(.cpu_us_per_record) | mean | r1 | tostring) + " | "
  + ($a | map("\(.lost)") | join(", ")) + " / " + ($r | map("\(.lost)") | join(", ")) + " |"
