#!/usr/bin/env bash
# Install the Debian packages that the protocol and web tests use, when missing:
#   gnugo (Go, GTP), stockfish (chess, UCI), fairymax (chess, xboard),
#   chromium + chromium-driver (headless browser for the web page tests),
#   metamath + metamath-databases (the proof checker and set.mm, for the prover).
# Runs only as root on a machine with apt-get; elsewhere it says what to install and
# exits 0, so `make test` still runs (those tests then skip with a reason).
# Idempotent and fast: when every package is present it runs no apt command at all.
set -u

PACKAGES="gnugo stockfish fairymax chromium chromium-driver metamath metamath-databases"

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: missing Debian packages:$missing (install them as root: apt-get install$missing); the tests that need them will skip" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run rather than failing on its lock; keep apt's chatter in a log
# that is shown only when something fails.
APT="apt-get -qq -o DPkg::Lock::Timeout=600"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "system-deps: installing$missing" >&2
if ! $APT update >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    echo "system-deps: apt-get update failed; the tests that need$missing will skip" >&2
    exit 0
fi
# shellcheck disable=SC2086
if ! $APT install -y --no-install-recommends $missing >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    echo "system-deps: could not install$missing; the tests that need them will skip" >&2
fi
exit 0
