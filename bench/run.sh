#!/usr/bin/env bash
# Crawl benchmark: ozgcheck against itself (re-crawl) and its peers on one
# generated city site served by nginx on 127.0.0.1. See bench/README.md.
#
#   bash bench/run.sh [--pages N] [--skip-peers] [--runs N] [--port P]
#                     [--seed S] [--no-build] [--keep] [--install] [--realistic]
#
# --realistic: pages as big as real city CMS pages (median 21 KB, 5th/95th
# percentile about 8/58 KB; see bench/gen_site.py); default: 5-15 KB pages.
#
# stdout: the Markdown results (also written to bench/results-latest.md);
# stderr: progress. Everything else lives in a temporary directory that is
# removed at exit (kept with --keep), and nginx is stopped at exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
HOST=www.benchstadt.de

PAGES=20000
SKIP_PEERS=0
RUNS=3
PORT=8089
SEED=1
BUILD=1
KEEP=0
INSTALL=0
REALISTIC=()
TOOL_TIMEOUT=${BENCH_TOOL_TIMEOUT:-1800}   # seconds, per tool run

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) PAGES="$2"; shift 2 ;;
    --pages=*) PAGES="${1#*=}"; shift ;;
    --skip-peers) SKIP_PEERS=1; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    --install) INSTALL=1; shift ;;
    --realistic) REALISTIC=(--realistic); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in PAGES RUNS PORT SEED; do
  case "${!v}" in ''|*[!0-9]*) echo "run.sh: --${v,,} needs a number" >&2; exit 2 ;; esac
done
[ "$RUNS" -ge 1 ] || { echo "run.sh: --runs must be at least 1" >&2; exit 2; }

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- tools
find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
missing_apt=()
missing_pip=()
[ -n "$(find_nginx)" ] || missing_apt+=(nginx)
[ -x /usr/bin/time ] || missing_apt+=(time)
command -v curl >/dev/null || missing_apt+=(curl)
command -v python3 >/dev/null || missing_apt+=(python3)
if [ "$SKIP_PEERS" = 0 ]; then
  command -v wget >/dev/null || missing_apt+=(wget)
  command -v scrapy >/dev/null || missing_pip+=(scrapy)
fi
if [ ${#missing_apt[@]} -gt 0 ] || [ ${#missing_pip[@]} -gt 0 ]; then
  if [ "$INSTALL" = 1 ]; then
    if [ ${#missing_apt[@]} -gt 0 ]; then
      log "installing ${missing_apt[*]} (apt-get)"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_apt[@]}" >&2
    fi
    if [ ${#missing_pip[@]} -gt 0 ]; then
      log "installing ${missing_pip[*]} (pip)"
      python3 -m pip install -q "${missing_pip[@]}" >&2
      hash -r
    fi
  else
    echo "run.sh: missing: ${missing_apt[*]} ${missing_pip[*]}" >&2
    [ ${#missing_apt[@]} -gt 0 ] && echo "  apt-get install -y ${missing_apt[*]}" >&2
    [ ${#missing_pip[@]} -gt 0 ] && echo "  pip install ${missing_pip[*]}" >&2
    echo "  (or run again with --install)" >&2
    exit 2
  fi
fi
NGINX="$(find_nginx)"

# ---------------------------------------------------------------- build
OZ="${CARGO_TARGET_DIR:-$ROOT/target}/release/ozgcheck"
if [ "$BUILD" = 1 ]; then
  log "cargo build --release (ozgcheck)"
  (cd "$ROOT" && cargo build --release) >&2
fi
[ -x "$OZ" ] || { echo "run.sh: $OZ not found (build it, or drop --no-build)" >&2; exit 2; }

SPIDER_DIR="$HERE/peers/spider-rs"
SPIDER_BIN="$SPIDER_DIR/target/release/spider-peer"
if [ "$SKIP_PEERS" = 0 ]; then
  if [ "$BUILD" = 1 ] || [ ! -x "$SPIDER_BIN" ]; then
    log "cargo build --release (spider-rs peer, target dir $SPIDER_DIR/target)"
    cargo build --release --manifest-path "$SPIDER_DIR/Cargo.toml" \
      --target-dir "$SPIDER_DIR/target" >&2
  fi
fi

# ---------------------------------------------------------------- workdir, nginx
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; then
  echo "run.sh: something already answers on 127.0.0.1:$PORT (use --port)" >&2
  exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ozgcheck-bench.XXXXXX")"
chmod 755 "$WORK"     # nginx's worker may run as another user
NGINX_PID=""

stop_nginx() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  NGINX_PID=""
}
cleanup() {
  local rc=$?
  stop_nginx
  if [ "$KEEP" = 1 ]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "generating $PAGES pages (seed $SEED) in $WORK/site"
python3 "$HERE/gen_site.py" "$WORK/site" --pages "$PAGES" --seed "$SEED" ${REALISTIC[@]+"${REALISTIC[@]}"} \
  --base-url "http://$HOST:$PORT" 2> "$WORK/gen.log" || { cat "$WORK/gen.log" >&2; exit 1; }
cat "$WORK/gen.log" >&2
chmod -R a+rX "$WORK/site"
# The generator leaves 170 MB of dirty pages: write them out now and read
# the site once, so that no tool's run meets the kernel's write-back.
sync
find "$WORK/site" -type f -exec cat {} + > /dev/null

mkdir -p "$WORK/tmp"
sed -e "s|@WORKDIR@|$WORK|g" -e "s|@PORT@|$PORT|g" -e "s|@SITE@|$WORK/site|g" \
  "$HERE/nginx.conf.template" > "$WORK/nginx.conf"
"$NGINX" -t -q -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" \
  || { echo "run.sh: nginx -t failed" >&2; exit 1; }
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" > "$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 100); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/robots.txt" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx.out" "$WORK/error.log" >&2; echo "run.sh: nginx died" >&2; exit 1; }
  sleep 0.1
done
code=$(curl -s -o /dev/null -w '%{http_code}' --resolve "$HOST:$PORT:127.0.0.1" "http://$HOST:$PORT/")
[ "$code" = 200 ] || { echo "run.sh: nginx answered $code for http://$HOST:$PORT/" >&2; exit 1; }
etag=$(curl -s -D - -o /dev/null --compressed "http://127.0.0.1:$PORT/" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
code=$(curl -s -o /dev/null -w '%{http_code}' --compressed -H "If-None-Match: $etag" "http://127.0.0.1:$PORT/")
[ "$code" = 304 ] || { echo "run.sh: nginx does not answer If-None-Match with 304 (got $code)" >&2; exit 1; }
log "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on 127.0.0.1:$PORT (pid $NGINX_PID), access log $WORK/access.log"

# ---------------------------------------------------------------- measuring
# measure TOOL PHASE RUN CWD CMD...: one timed run; appends a line to
# results.jsonl with the access-log line range it produced.
measure() {
  local tool=$1 phase=$2 run=$3 cwd=$4
  shift 4
  local tag="${tool}-${phase}-${run}"
  local from to t0 t1 rc wall
  sleep 0.5
  from=$(wc -l < "$WORK/access.log")
  t0=$(date +%s.%N)
  set +e
  (cd "$cwd" && exec /usr/bin/time -v -o "$WORK/$tag.time" \
      timeout -k 30 "$TOOL_TIMEOUT" "$@") > "$WORK/$tag.out" 2> "$WORK/$tag.err"
  rc=$?
  set -e
  t1=$(date +%s.%N)
  sleep 0.5   # nginx logs a request after its last byte went out
  to=$(wc -l < "$WORK/access.log")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  printf '{"tool":"%s","phase":"%s","run":%d,"rc":%d,"wall":%s,"log_from":%d,"log_to":%d,"time_file":"%s","stdout_file":"%s","stderr_file":"%s"}\n' \
    "$tool" "$phase" "$run" "$rc" "$wall" "$from" "$to" \
    "$WORK/$tag.time" "$WORK/$tag.out" "$WORK/$tag.err" >> "$WORK/results.jsonl"
  log "$tag: ${wall} s, $((to - from)) requests, exit $rc"
  if [ "$rc" != 0 ] && [ "$tool" = ozgcheck ]; then OZ_FAILED=1; fi
  if [ "$rc" != 0 ] && [ "$tool" != wget ]; then
    tail -n 5 "$WORK/$tag.err" | sed 's/^/    /' >&2
  fi
}
: > "$WORK/results.jsonl"
OZ_FAILED=0

PROFILE="$WORK/benchstadt.toml"
cat > "$PROFILE" <<EOF
name = "Benchstadt"
state = "NW"
seeds = ["http://$HOST:$PORT/"]
scope = ["$HOST"]
EOF
MAXP=$(( PAGES + PAGES / 4 > 25000 ? PAGES + PAGES / 4 : 25000 ))

# ozgcheck and the peers take turns in every round, so that a machine that
# gets slower or faster during the benchmark affects all of them alike.
START="http://127.0.0.1:$PORT/"
mkdir -p "$WORK/scrapy-cwd" "$WORK/spider-cwd"
for i in $(seq "$RUNS"); do
  log "round $i of $RUNS: ozgcheck first crawl, then the re-crawl of the unchanged site (same database)"
  OZ_ARGS=(--lang en crawl "$PROFILE" --db "$WORK/ozgcheck-db-$i" --rate 0 --concurrency 16
           --max-pages "$MAXP" --max-depth 50 --resolve "$HOST:$PORT:127.0.0.1")
  measure ozgcheck first "$i" "$ROOT" "$OZ" "${OZ_ARGS[@]}"
  measure ozgcheck recrawl "$i" "$ROOT" "$OZ" "${OZ_ARGS[@]}"
  rm -rf "$WORK/ozgcheck-db-$i"
  if [ "$SKIP_PEERS" = 0 ]; then
    log "round $i of $RUNS: peers"
    measure wget peer "$i" "$WORK" \
      wget -r -l inf -nv --no-parent -e robots=on -P "$WORK/wget-$i" "$START"
    rm -rf "$WORK/wget-$i"
    measure Scrapy peer "$i" "$WORK/scrapy-cwd" \
      scrapy runspider "$HERE/peers/scrapy_spider.py" -L WARNING -a "start_url=$START"
    measure spider-rs peer "$i" "$WORK/spider-cwd" "$SPIDER_BIN" "$START" 16
  fi
done
stop_nginx

# ---------------------------------------------------------------- report
rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$ROOT" status --porcelain -- . ':(exclude)bench' 2>/dev/null)" ]; then rev="$rev (with uncommitted changes)"; fi
gen="$(sed -n 's/^gen_site: //p' "$WORK/gen.log")"
nginx_errs=$(grep -cE '\[(crit|alert|emerg)\]' "$WORK/error.log" || true)
info=(--info "ozgcheck $rev (median of $RUNS run(s), each a fresh database then its re-crawl): \`ozgcheck crawl PROFILE --rate 0 --concurrency 16 --max-pages $MAXP --max-depth 50 --resolve $HOST:$PORT:127.0.0.1\`; seed http://$HOST:$PORT/")
if [ "$SKIP_PEERS" = 0 ]; then
  v_wget="$(wget --version | head -1 | awk '{print $3}')"
  v_scrapy="$(scrapy version 2>/dev/null | awk '{print $2}')"
  v_spider="$(awk '/^name = "spider"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$SPIDER_DIR/Cargo.lock")"
  info+=(--info "Peers (median of $RUNS run(s) each, on http://127.0.0.1:$PORT/): GNU wget $v_wget, Scrapy $v_scrapy (CrawlSpider, 16 concurrent), spider crate $v_spider (default features, concurrency 16)")
else
  info+=(--info "Peers: skipped (--skip-peers)")
fi
if [ "${nginx_errs:-0}" -gt 0 ]; then
  first_err="$(grep -m1 -E '\[(crit|alert|emerg)\]' "$WORK/error.log" | cut -c1-160)"
  info+=(--info "**nginx logged $nginx_errs crit/alert/emerg lines; the numbers are suspect.** First: \`$first_err\`")
  log "nginx logged $nginx_errs crit/alert/emerg lines, e.g. $first_err"
fi
python3 "$HERE/analyze.py" report "$WORK" --pages "$PAGES" \
  --site-line "$gen; seed $SEED; nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on 127.0.0.1:$PORT (1 worker, etag on, gzip level 1 for HTML)" \
  "${info[@]}" --out "$HERE/results-latest.md"
log "wrote $HERE/results-latest.md"
if [ "$OZ_FAILED" = 1 ]; then
  echo "run.sh: an ozgcheck run failed (see the exit code in the table; --keep keeps its stderr)" >&2
  exit 1
fi
