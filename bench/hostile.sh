#!/usr/bin/env bash
# The hostile-site check (issue: a misbehaving site is crawled completely in
# under 2 minutes at the default-like polite rate, every failure recorded).
# Serves bench/hostile.py on loopback, crawls it with --rate 2, prints the
# wall time and the run's summary. A measurement, not a test.
#   bash bench/hostile.sh [path/to/ozgcheck]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OZ="${1:-$ROOT/target/release/ozgcheck}"
[ -x "$OZ" ] || (cd "$ROOT" && cargo build --release -q)
command -v python3 >/dev/null || { echo "hostile.sh: needs python3" >&2; exit 2; }
PORT=8097
WORK="$(mktemp -d)"
python3 "$HERE/hostile.py" "$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
# The server compresses its gzip bomb first: wait until it answers.
for _ in $(seq 120); do
  curl -s -o /dev/null --max-time 1 -H "Host: www.feindstadt.de" "http://127.0.0.1:$PORT/" && break
  sleep 0.5
done
cat > "$WORK/feindstadt.toml" <<P
name = "Feindstadt"
state = "NW"
seeds = ["http://www.feindstadt.de/"]
scope = ["feindstadt.de", "*.feindstadt.de"]
P
# The URLs have no port: --resolve's PORT is the one connected to.
RES=()
for h in www.feindstadt.de formulare.feindstadt.de termine.feindstadt.de; do RES+=(--resolve "$h:$PORT:127.0.0.1"); done
start=$(date +%s.%N)
set +e
"$OZ" --lang en crawl "$WORK/feindstadt.toml" --db "$WORK/db" --rate 2 "${RES[@]}" 2> "$WORK/crawl.err"
rc=$?
set -e
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "hostile site: exit $rc, wall ${wall} s (target: under 120 s)"
grep -E 'pages|errors|retries|robots|trap|given up|not crawled' "$WORK/crawl.err" || true
"$OZ" runs --db "$WORK/db"
