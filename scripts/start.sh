#!/usr/bin/env bash
# Start the Cohortmonitor on this machine: bash scripts/start.sh
# Creates .venv when missing, installs requirements.txt and the package (editable) when they changed, then
# runs the app on the bundled example data. PORT (default 8501) picks the port; further arguments go to
# `streamlit run` (e.g. --server.address 127.0.0.1).
set -euo pipefail
# shellcheck source=scripts/_bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/_bootstrap.sh"

ensure_venv runtime

# The example workbook is generated, deterministically, when the checkout does not carry it.
if [ ! -f data/voorbeeld_cohortaanpak.xlsx ] && [ -f src/cohort/workbook/example.py ]; then
    step "generating the example workbook (python -m cohort.workbook.example)"
    "$VENV/bin/python" -m cohort.workbook.example || warn "could not generate the example workbook; the app starts without it"
fi

PORT="${PORT:-8501}"
step "Cohortmonitor starts at http://localhost:$PORT  (stop with Ctrl+C)"
exec "$VENV/bin/python" -m streamlit run serve.py --server.headless true --server.port "$PORT" "$@"
