#!/usr/bin/env bash
# Survey benchmark: N generated cities on one nginx (127.0.0.1), a few of
# them slow and a few unreachable, surveyed by one `ozgcheck survey` run;
# then the same survey killed with SIGKILL part-way and resumed.
#
#   bash bench/survey.sh [--cities N] [--pages P] [--at-once K] [--port PORT] [--no-build] [--keep]
#
# Defaults: 83 cities (as the 2025 index) of 300 pages each, 8 at a time.
# Cities 7, 29 and 61 answer at 64 KB/s (slow servers); cities 13, 47 and
# 71 point at a closed port (unreachable: failed runs). Writes Markdown to
# stdout: wall time, pages per second over all cities, peak RSS, the
# ranking's counts, and the resume after the kill.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CITIES=83
PAGES=300
AT_ONCE=8
PORT=8095
BUILD=1
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cities) CITIES="$2"; shift 2 ;;
    --pages) PAGES="$2"; shift 2 ;;
    --at-once) AT_ONCE="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "survey.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
log() { echo "[survey-bench $(date +%H:%M:%S)] $*" >&2; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "survey.sh: needs nginx" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "survey.sh: needs /usr/bin/time" >&2; exit 1; }

WORK="$(mktemp -d /tmp/ozgcheck-survey-bench.XXXXXX)"
NGINX_PID=
cleanup() {
  rc=$?
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT

if [ "$BUILD" = 1 ]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release -q)
fi
BIN="$ROOT/target/release/ozgcheck"

slow=" 7 29 61 "
dead=" 13 47 71 "
mkdir -p "$WORK/sites" "$WORK/cities" "$WORK/tmp"
log "generating $CITIES cities of $PAGES pages"
resolves=()
for i in $(seq 1 "$CITIES"); do
  host="www.stadt$i.de"
  if [[ "$dead" == *" $i "* ]]; then
    port=$((PORT + 1))   # nothing listens there
  else
    port=$PORT
    python3 "$HERE/gen_site.py" "$WORK/sites/stadt$i" --pages "$PAGES" --seed "$i" \
      --base-url "http://$host:$port" 2>/dev/null
  fi
  printf 'name = "Stadt %s"\nstate = "NW"\nseeds = ["http://%s:%s/"]\n' "$i" "$host" "$port" \
    > "$WORK/cities/stadt$i.toml"
  resolves+=(--resolve "$host:$port:127.0.0.1")
done
chmod a+rx "$WORK"   # nginx workers run as another user
chmod -R a+rX "$WORK/sites"
cat > "$WORK/survey.toml" <<EOF
name = "Benchmark-Umfrage"
model = "sci2025"
cities = ["cities/"]
cities_at_once = $AT_ONCE
max_pages = $((PAGES + 100))
EOF

cat > "$WORK/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 2048; }
http {
  types { text/html html; application/pdf pdf; application/gzip gz; text/xml xml; text/plain txt; }
  default_type application/octet-stream;
  charset utf-8;
  access_log $WORK/access.log;
  client_body_temp_path $WORK/tmp/cb; proxy_temp_path $WORK/tmp/p; fastcgi_temp_path $WORK/tmp/f;
  uwsgi_temp_path $WORK/tmp/u; scgi_temp_path $WORK/tmp/s;
  sendfile on; keepalive_requests 100000; etag on; gzip on; gzip_comp_level 1;
  server {
    listen 127.0.0.1:$PORT;
    server_name ~^www\.stadt(?<n>[0-9]+)\.de\$;
    root $WORK/sites/stadt\$n;
    index index.html;
    location / {
      if (\$n ~ "^(7|29|61)\$") { set \$limit_rate 64k; }
      try_files \$uri \$uri/ =404;
    }
  }
}
EOF
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" > "$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 50); do
  curl -s -o /dev/null -H "Host: www.stadt1.de" "http://127.0.0.1:$PORT/robots.txt" && break
  sleep 0.1
done

run_survey() { # tag, database, extra args...
  local tag=$1 db=$2; shift 2
  (cd "$WORK" && /usr/bin/time -v -o "$WORK/$tag.time" "$BIN" --lang en survey survey.toml \
    --db "$WORK/$db.db" --rate 0 "${resolves[@]}" "$@" 2> "$WORK/$tag.log") || true
}
secs() { awk -F': ' '/Elapsed/ { n = split($2, t, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + t[k]; printf "%.1f", s }' "$1"; }
rss() { awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$1"; }
pages_of() { "$BIN" --lang en ranking --db "$1" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)
st = {}
for c in r["cities"]:
    st[c["status"]] = st.get(c["status"], 0) + 1
print(" ".join(f"{k} {v}" for k, v in sorted(st.items())))'; }

log "survey in one piece"
run_survey whole whole
whole_s=$(secs "$WORK/whole.time"); whole_rss=$(rss "$WORK/whole.time")
fetched=$(grep -c '" 200 ' "$WORK/access.log" || true)
whole_status=$(pages_of "$WORK/whole.db")

log "survey killed with SIGKILL after a third of its time, then resumed"
: > "$WORK/access.log"; kill -USR1 "$NGINX_PID" 2>/dev/null || true
(cd "$WORK" && exec "$BIN" --lang en survey survey.toml --db "$WORK/killed.db" --rate 0 "${resolves[@]}" \
  2> "$WORK/killed.log") &
pid=$!
sleep "$(python3 -c "print(max(2.0, $whole_s / 3))")"
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
run_survey resumed killed --resume
resumed_new=$(grep -c ": starting$" "$WORK/resumed.log" || true)
resumed_again=$(grep -c ": resuming$" "$WORK/resumed.log" || true)
resumed_s=$(secs "$WORK/resumed.time")
resumed_status=$(pages_of "$WORK/killed.db")

cat <<EOF
# Survey benchmark

- Date: $(date -u +'%Y-%m-%d %H:%M UTC'); machine: \`nproc\` $(nproc), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
- $CITIES generated cities of $PAGES pages (bench/gen_site.py, one nginx on 127.0.0.1, 1 worker);
  cities 7, 29, 61 served at 64 KB/s, cities 13, 47, 71 unreachable; $AT_ONCE cities at a time, \`--rate 0\`
- ozgcheck $(cd "$ROOT" && git rev-parse --short HEAD)

| run | wall s | pages fetched (200) | pages/s | peak RSS MB | ranking |
|---|---:|---:|---:|---:|---|
| survey in one piece | $whole_s | $fetched | $(python3 -c "print(round($fetched / max($whole_s, 0.1)))") | $whole_rss | $whole_status |
| killed after a third, then \`--resume\` | $resumed_s (resume only) | | | $(rss "$WORK/resumed.time") | $resumed_status |

After the kill, \`--resume\` continued the same survey: $resumed_again cities' interrupted runs resumed, $resumed_new cities not yet begun were crawled, the finished ones were kept.
EOF
