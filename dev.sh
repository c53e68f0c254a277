#!/usr/bin/env bash
# The two commands a newcomer needs:
#   ./dev.sh demo   run the portal with demo data on http://127.0.0.1:8000 (SQLite, tasks inline)
#   ./dev.sh test   run the whole test suite (PostgreSQL and Redis, see README)
#   ./dev.sh test-sqlite   the page, admin and service tests on the embedded default (SQLite, no Redis)
# Both create ./.venv with Python 3.11 on first use and install the pinned requirements.
set -euo pipefail
cd "$(dirname "$0")"

python_bin() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"
      return
    fi
  done
  echo "Python 3.11 is needed (python3.11 or python3 on the PATH)." >&2
  exit 1
}

venv() {
  local requirements=$1 stamp=".venv/.installed-$1"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv ..."
    "$(python_bin)" -m venv .venv
  fi
  # Reinstall only when the requirements file changed since the last install.
  if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    echo "Installing $requirements ..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    touch "$stamp"
  fi
}

# Tests run on every core (pytest-xdist) unless the caller chose: -n N, -n0, or -p no:xdist.
xdist_workers() {
  local arg
  for arg in "$@"; do
    case "$arg" in -n | -n* | --numprocesses* | no:xdist) return ;; esac
  done
  echo "-n auto"
}

# The German and French catalogues compiled (.mo) when gettext is installed; the .mo files are
# committed too, so a machine without msgfmt still shows the portal in German and French.
compile_messages() {
  if command -v msgfmt >/dev/null 2>&1; then
    DEBUG=1 .venv/bin/python manage.py compilemessages --ignore '.venv/*' >/dev/null ||
      echo "warning: compilemessages failed; the committed .mo files are used" >&2
  fi
}

command=${1:-}
shift || true
case "$command" in
  demo)
    venv requirements.txt
    export DEBUG="${DEBUG:-1}"
    compile_messages
    exec .venv/bin/python manage.py demo "$@"
    ;;
  test)
    venv requirements-dev.txt
    export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ideaportal}"
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
    # Development settings (no production secrets needed); Django's test runner turns DEBUG off anyway.
    export DEBUG=1
    compile_messages
    exec .venv/bin/python -m pytest $(xdist_workers "$@") "$@"
    ;;
  test-sqlite)
    # What a newcomer runs first: SQLite and no Redis, as ./dev.sh demo. The tests marked postgresql
    # (real concurrent writers, pg_trgm, query plans) are deselected; browser and worker tests need
    # the real stack and run in ./dev.sh test.
    venv requirements-dev.txt
    export DEBUG=1
    compile_messages
    exec env -u DATABASE_URL -u REDIS_URL .venv/bin/python -m pytest $(xdist_workers "$@") \
      -m "not browser and not worker" "$@"
    ;;
  messages)
    # The German and French catalogues (locale/<lang>/LC_MESSAGES/django.po): every marked string of
    # the code and templates is added, strings no longer used are dropped, then all are compiled.
    # Needs gettext (msgfmt, xgettext). docs/I18N.md says how to translate and add a language.
    venv requirements.txt
    export DEBUG=1
    # The arguments are in .ci/makemessages-args, one a line: CI's guard (.ci/i18n_check.py) runs the same.
    mapfile -t makemessages_args < .ci/makemessages-args
    .venv/bin/python manage.py makemessages "${makemessages_args[@]}" "$@"
    .venv/bin/python manage.py compilemessages --ignore '.venv/*'
    ;;
  *)
    echo "usage: ./dev.sh demo [--addrport HOST:PORT] | ./dev.sh test [pytest options] | ./dev.sh test-sqlite [pytest options] | ./dev.sh messages" >&2
    exit 2
    ;;
esac
