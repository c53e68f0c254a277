#!/usr/bin/env bash
# The scale benchmark of issue 9 in one command: create a PostgreSQL database of its own, migrate,
# fill it with manage.py seed_scale (full size by default), then load-test it with bench/load.py.
#
#   bench/scale.sh [load.py options, e.g. --duration 15 --out scale-results.md]
#
# Environment: SCALE_DATABASE (default ideaportal_scale), PGHOST/PGPORT/PGUSER (default
# 127.0.0.1, 5432, postgres), SEED_OPTIONS (passed to seed_scale, e.g. "--ideas 20000 --votes 200000"),
# RESEED=1 to empty and refill a database that already has ideas (otherwise it is reused), and
# REDIS_URL (default: Redis database 13 on 127.0.0.1, away from other task queues).
set -euo pipefail
cd "$(dirname "$0")/.."

database=${SCALE_DATABASE:-ideaportal_scale}
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
user=${PGUSER:-postgres}
export DATABASE_URL="postgres://${user}@${host}:${port}/${database}"
python=.venv/bin/python

if ! psql -h "$host" -p "$port" -U "$user" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '${database}'" | grep -q 1; then
  echo "Creating database ${database} ..."
  psql -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"${database}\""
fi
# The benchmark-only app (its baseline table) is installed only with BENCH_BASELINE_VIEWS on.
DEBUG=1 BENCH_BASELINE_VIEWS=1 "$python" manage.py migrate --verbosity 0

has_ideas=$(psql -h "$host" -p "$port" -U "$user" -d "$database" -Atc "SELECT EXISTS (SELECT 1 FROM ideas_idea)")
if [ "$has_ideas" = "f" ] || [ "${RESEED:-0}" = "1" ]; then
  # shellcheck disable=SC2086 # SEED_OPTIONS is a list of options
  DEBUG=1 "$python" manage.py seed_scale ${SEED_OPTIONS:-} $([ "$has_ideas" = "t" ] && echo --force)
else
  echo "Reusing the seeded database ${database} (RESEED=1 to refill it)."
fi

"$python" bench/load.py "$@"
