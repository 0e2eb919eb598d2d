#!/bin/sh
# Entrypoint of the locally built rehearse/postgres image. It keeps the official postgres image's
# contract: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD,
# POSTGRES_INITDB_ARGS and PGDATA; `postgres` (or nothing) as the command and any extra
# arguments passed on to postgres. The image holds no coreutils, so only dash builtins are used.
set -eu

: "${PGDATA:=/var/lib/rehearse/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:=}"
: "${POSTGRES_HOST_AUTH_METHOD:=}"
export PGDATA

if [ "$#" -gt 0 ] && [ "$1" = postgres ]; then shift; fi
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then exec "$@"; fi # not a postgres flag: run it as given

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
    echo 'error: database is uninitialized and POSTGRES_PASSWORD is not set (set it, or POSTGRES_HOST_AUTH_METHOD=trust)' >&2
    exit 1
  fi
  # The password reaches initdb through a pipe: it never touches a file or an argv.
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  printf '%s\n' "$POSTGRES_PASSWORD" | initdb -D "$PGDATA" -U "$POSTGRES_USER" ${POSTGRES_PASSWORD:+--pwfile=/dev/stdin} \
    -E UTF8 --locale=C --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-}
  printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    # Single-user mode: no server, no client binary needed.
    printf 'CREATE DATABASE "%s"\n' "$POSTGRES_DB" | postgres --single -D "$PGDATA" postgres > /dev/null
  fi
  echo 'rehearse/postgres: init process complete; ready for start up.'
fi

exec postgres -D "$PGDATA" "$@"
