# Sourced by scripts/test: make sure a PostgreSQL and a Redis answer before the suite runs.
#
# For each: the URL given in the environment (DATABASE_URL, REDIS_URL) if any; else the
# standard local port; else a throwaway server started from the installed binaries (the
# Debian package is installed first when missing and we are root), stopped again on exit.
# A service that cannot be had fails the run: tests that need it are never skipped.

_services_tmp=""
_pg_started=""
_redis_started=""

_die() {
  echo "make test: $*" >&2
  exit 1
}

_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_probe() {
  python3 "$SCRIPTS_DIR/probe.py" "$1" "$2"
}

_apt_install() {
  [ "$(id -u)" = 0 ] || _die "$1 is not installed and we are not root: install the Debian package '$1'."
  command -v apt-get >/dev/null || _die "$1 is not installed and there is no apt-get to install it."
  echo "make test: installing the Debian package $1..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2 \
    || _die "could not install $1."
}

# Called directly, never in $(...): the folder's name must reach stop_services.
_make_services_dir() {
  if [ -z "$_services_tmp" ]; then
    _services_tmp="$(mktemp -d "${TMPDIR:-/tmp}/cto-test-services.XXXXXX")"
    chmod 755 "$_services_tmp"  # the postgres user must be able to reach its data folder
  fi
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    _probe postgres "$DATABASE_URL" || _die "DATABASE_URL is set but nothing answers there."
    return
  fi
  if _probe postgres "postgres://postgres@127.0.0.1:5432/"; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/cto"
    return
  fi
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bindir" ]; then
    _apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$bindir" ] || _die "PostgreSQL is still missing after installing it."
  fi
  local dir port run_as=()
  _make_services_dir
  dir="$_services_tmp/postgres"
  port="$(_free_port)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: run the throwaway server as the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run_as=(runuser -u postgres --)
  fi
  echo "make test: starting a throwaway PostgreSQL on 127.0.0.1:$port" >&2
  "${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust >/dev/null \
    || _die "initdb failed."
  "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || _die "PostgreSQL did not start (see $dir/log)."
  _pg_started="${run_as[*]} $bindir/pg_ctl -D $dir/data -m immediate stop"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/cto"
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then
    _probe redis "$REDIS_URL" || _die "REDIS_URL is set but nothing answers there."
    return
  fi
  if _probe redis "redis://127.0.0.1:6379/0"; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
    return
  fi
  command -v redis-server >/dev/null || _apt_install redis-server
  local dir port
  _make_services_dir
  dir="$_services_tmp/redis"
  port="$(_free_port)"
  mkdir -p "$dir"
  echo "make test: starting a throwaway Redis on 127.0.0.1:$port" >&2
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/log" \
    || _die "Redis did not start."
  for _ in $(seq 50); do _probe redis "redis://127.0.0.1:$port/0" && break; sleep 0.1; done
  _probe redis "redis://127.0.0.1:$port/0" || _die "Redis did not answer (see $dir/log)."
  _redis_started="$dir/redis.pid"
  export REDIS_URL="redis://127.0.0.1:$port/0"
}

stop_services() {
  if [ -n "$_pg_started" ]; then $_pg_started >/dev/null 2>&1 || true; fi
  if [ -n "$_redis_started" ] && [ -f "$_redis_started" ]; then
    kill "$(cat "$_redis_started")" 2>/dev/null || true
  fi
  if [ -n "$_services_tmp" ]; then rm -rf "$_services_tmp"; fi
}
