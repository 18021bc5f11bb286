#!/usr/bin/env bash
# Run every check: bash scripts/test.sh [pytest arguments]
# Creates .venv when missing, installs requirements-dev.txt and the package (editable) when they changed,
# installs Debian's chromium when missing (root or sudo) and axe-core (npm ci) for the browser tests, Debian's
# postgresql (the store tests start a throw-away server) and nginx (the deployment config is validated), then
# runs `ruff check .`, `mypy` and `python -m pytest` with the given arguments. Fast on a second run.
set -euo pipefail
# shellcheck source=scripts/_bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/_bootstrap.sh"

started=$SECONDS
ensure_venv dev
ensure_chromium
ensure_axe
ensure_poppler
ensure_postgresql
ensure_nginx
step "set-up took $((SECONDS - started)) s"

# All always run, so one report shows lint, type and test failures together.
step "ruff check ."
ruff_status=0
"$VENV/bin/ruff" check . || ruff_status=$?

step "mypy (src/cohort, app.py, views; config in pyproject.toml)"
mypy_status=0
"$VENV/bin/mypy" || mypy_status=$?

step "dependency audit (pip-audit of requirements.txt)"
audit_status=0
"$VENV/bin/python" scripts/audit_dependencies.py || audit_status=$?

step "python -m pytest $*"
pytest_status=0
"$VENV/bin/python" -m pytest "$@" || pytest_status=$?

if [ "$audit_status" -ne 0 ]; then
    echo "known vulnerabilities in requirements.txt (exit $audit_status)" >&2
    exit "$audit_status"
fi
if [ "$mypy_status" -ne 0 ]; then
    echo "mypy found type errors (exit $mypy_status)" >&2
    exit "$mypy_status"
fi
if [ "$ruff_status" -ne 0 ]; then
    echo "ruff check failed (exit $ruff_status)" >&2
    exit "$ruff_status"
fi
exit "$pytest_status"
