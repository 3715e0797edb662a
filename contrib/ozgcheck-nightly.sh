#!/bin/sh
# Nightly crawl for cron (see crontab.example): crawl, then mail the diff
# only when the crawl succeeded and something changed. A failed crawl
# (exit 3: the city could not be reached) mails that, never a stale diff.
# Settings: OZGCHECK_DB, PROFILE, MAILTO_ADDR.
set -u
: "${OZGCHECK_DB:=/var/lib/ozgcheck/db}"
: "${PROFILE:=/etc/ozgcheck/stadt.toml}"
: "${MAILTO_ADDR:=digital@stadt.example}"
export OZGCHECK_DB
LOG=/var/log/ozgcheck.log
DIFF="$(mktemp)"
trap 'rm -f "$DIFF"' EXIT

/usr/local/bin/ozgcheck crawl "$PROFILE" --max-duration 5h 2>>"$LOG"
rc=$?
case $rc in
  0) ;;
  3) tail -n 20 "$LOG" | mail -s "ozgcheck: Crawl fehlgeschlagen" "$MAILTO_ADDR"; exit 3 ;;
  *) exit $rc ;;
esac
/usr/local/bin/ozgcheck diff previous latest --format md > "$DIFF" 2>>"$LOG"
drc=$?
# 1 = something changed; 0 = nothing; 2 = no earlier run to compare with.
[ $drc -eq 1 ] && mail -s "ozgcheck: Änderungen" "$MAILTO_ADDR" < "$DIFF"
exit 0
