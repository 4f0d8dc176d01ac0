#!/usr/bin/env bash
# Run a command (the test suite) with the services the tests need, set up here:
#
#   * headless Chromium (tests/report opens the HTML reports in it);
#   * a throwaway PostgreSQL cluster on a free localhost port, in a temporary folder,
#     exported as TRAINLAB_TEST_POSTGRES_URL (tests/tune/test_tune_workers.py), and
#     stopped and deleted when the command ends, whether it passed or failed.
#
# Missing Debian packages (chromium, postgresql) are installed with apt-get when this
# runs as root (or with password-less sudo). When they cannot be installed, it fails
# with the exact command to run; it never lets the tests skip quietly.
#
#   tests/setup/with_services.sh python -m pytest -q      (what `make test` runs)
#
# Environment: TRAINLAB_TEST_POSTGRES_URL already set: that server is used, none is
# started. TRAINLAB_PG_BIN: the folder of initdb/pg_ctl (default: the newest
# /usr/lib/postgresql/*/bin, else PATH).
set -uo pipefail

say() { echo "with_services: $*" >&2; }

PACKAGES=()
have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
                    || command -v google-chrome >/dev/null 2>&1; }
pg_bin() {
  if [ -n "${TRAINLAB_PG_BIN:-}" ]; then echo "$TRAINLAB_PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -n "$newest" ]; then echo "$newest"; else dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)"; fi
}
have_postgres() { [ -n "${TRAINLAB_TEST_POSTGRES_URL:-}" ] || [ -x "$(pg_bin)/initdb" ]; }

have_chromium || PACKAGES+=(chromium)
have_postgres || PACKAGES+=(postgresql)

if [ ${#PACKAGES[@]} -gt 0 ]; then
  install_cmd="apt-get update && apt-get install -y ${PACKAGES[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n); else SUDO=(none); fi
  if [ "${SUDO[0]:-}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    say "the tests need ${PACKAGES[*]}, which are not installed, and this user cannot install them"
    say "(not root, no password-less sudo, or no apt-get). Install them, then run make test again:"
    say "    sudo $install_cmd"
    say "(or set TRAINLAB_TEST_POSTGRES_URL to a PostgreSQL database the tests may use)."
    exit 1
  fi
  say "installing ${PACKAGES[*]} (Debian packages) ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq "${PACKAGES[@]}" >/dev/null; }; then
    say "could not install ${PACKAGES[*]} (no network?). Install them, then run make test again:"
    say "    sudo $install_cmd"
    exit 1
  fi
  have_chromium && have_postgres || { say "installed, but still missing; install by hand: sudo $install_cmd"; exit 1; }
fi

PGDIR=""
PG_AS=()
cleanup() {
  if [ -n "$PGDIR" ]; then
    "${PG_AS[@]}" "$(pg_bin)/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$PGDIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${TRAINLAB_TEST_POSTGRES_URL:-}" ]; then
  BIN=$(pg_bin)
  PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/trainlab-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root: run it as the package's user
    chown postgres "$PGDIR" && PG_AS=(runuser -u postgres --) || { say "cannot run PostgreSQL as user postgres"; exit 1; }
  fi
  port=""
  for candidate in $(seq 54330 54429); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
  done
  [ -n "$port" ] || { say "no free localhost port in 54330-54429 for PostgreSQL"; exit 1; }
  if ! "${PG_AS[@]}" "$BIN/initdb" -D "$PGDIR/data" -U trainlab -A trust --no-sync >"$PGDIR/initdb.log" 2>&1; then
    say "initdb failed:"; cat "$PGDIR/initdb.log" >&2; exit 1
  fi
  if ! "${PG_AS[@]}" "$BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
        -o "-p $port -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
    say "PostgreSQL did not start:"; cat "$PGDIR/server.log" >&2; exit 1
  fi
  "${PG_AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$port" -U trainlab trainlab_test \
    || { say "createdb failed"; exit 1; }
  export TRAINLAB_TEST_POSTGRES_URL="postgresql://trainlab:trainlab@127.0.0.1:$port/trainlab_test"
  say "PostgreSQL $(basename "$(dirname "$BIN")") on 127.0.0.1:$port (throwaway, in $PGDIR)"
fi

"$@"
