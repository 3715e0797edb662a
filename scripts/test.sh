#!/usr/bin/env bash
# The test command (README quick start): installs what the tests need where
# it is missing, then runs the whole suite. Needs the Rust toolchain; the
# browser tests need Debian's Chromium (installed here with apt-get when
# running as root), the WARC tests need warcio (installed with pip) and
# pywb (installed with pip into target/pywb-venv). Without them those tests
# fail and say what to install, unless OZGCHECK_SKIP_BROWSER=1 /
# OZGCHECK_SKIP_WARCIO=1 / OZGCHECK_SKIP_PYWB=1 opt out explicitly.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v warcio >/dev/null 2>&1; then
  echo "== installing warcio (independent WARC reader) with pip"
  python3 -m pip install --quiet --disable-pip-version-check warcio \
    || python3 -m pip install --quiet --disable-pip-version-check --user warcio
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
fi
if ! command -v warcio >/dev/null 2>&1; then
  export PATH="$(python3 -m site --user-base)/bin:$PATH"
fi

# pywb (an independent replay tool) pins its own dependencies: it gets a
# virtual environment of its own under target/, reused by later runs.
if [ -z "${OZGCHECK_PYWB:-}" ] && ! command -v wb-manager >/dev/null 2>&1; then
  venv="$PWD/target/pywb-venv"
  if ! [ -x "$venv/bin/wayback" ]; then
    echo "== installing pywb (independent WARC replay) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pywb
  fi
  export OZGCHECK_PYWB="$venv/bin"
fi

if ! command -v chromium >/dev/null 2>&1 && ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian's Chromium for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
  else
    echo "note: no Chromium found and not root: install Debian's 'chromium' package," >&2
    echo "      or set OZGCHECK_SKIP_BROWSER=1 to skip the browser tests on purpose" >&2
  fi
fi

echo "== cargo test --locked"
exec cargo test --locked "$@"
