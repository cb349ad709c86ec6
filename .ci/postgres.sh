# shellcheck shell=bash
# Sourced by .ci/test before pytest (as root on Debian, non-interactive).
# Installs PostgreSQL if missing, starts a cluster on 127.0.0.1:5432, creates the test role and database,
# and exports TEXTMINE_TEST_POSTGRES_URL. Idempotent: safe to source again while the server is running.
# Sourced: never `exit` and never leave `set -e` behind; every step returns a status instead.

_tm_pg_setup() {
  local user=textmine pass=textmine db=textmine_test port=5432
  if [ "${TEXTMINE_SKIP_POSTGRES:-0}" = "1" ]; then
    echo "postgres.sh: TEXTMINE_SKIP_POSTGRES=1, not setting up PostgreSQL"
    return 0
  fi
  if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "postgres.sh: installing PostgreSQL (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || { echo "postgres.sh: apt-get update failed"; return 1; }
    apt-get install -y -qq postgresql >/dev/null || { echo "postgres.sh: apt-get install postgresql failed"; return 1; }
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^${version} main$"; then
    pg_createcluster "$version" main -p "$port" >/dev/null || { echo "postgres.sh: pg_createcluster failed"; return 1; }
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    pg_ctlcluster "$version" main start || { echo "postgres.sh: could not start the cluster"; return 1; }
  fi
  # wait until it accepts connections
  local i
  for i in $(seq 1 30); do
    if su postgres -c "psql -p $port -tAc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
  done
  su postgres -c "psql -p $port -tAc \"select 1 from pg_roles where rolname='$user'\"" | grep -q 1 \
    || su postgres -c "psql -p $port -qc \"create role $user login password '$pass' createdb\"" >/dev/null \
    || { echo "postgres.sh: could not create role $user"; return 1; }
  su postgres -c "psql -p $port -tAc \"select 1 from pg_database where datname='$db'\"" | grep -q 1 \
    || su postgres -c "psql -p $port -qc \"create database $db owner $user\"" >/dev/null \
    || { echo "postgres.sh: could not create database $db"; return 1; }
  export TEXTMINE_TEST_POSTGRES_URL="postgresql+psycopg://$user:$pass@127.0.0.1:$port/$db"
  echo "postgres.sh: PostgreSQL $version ready, TEXTMINE_TEST_POSTGRES_URL exported"
  return 0
}

_tm_pg_setup
_tm_pg_rc=$?
unset -f _tm_pg_setup
# shellcheck disable=SC2317
return "$_tm_pg_rc" 2>/dev/null || exit "$_tm_pg_rc"
