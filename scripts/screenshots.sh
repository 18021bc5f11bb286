#!/usr/bin/env bash
# Regenerate the README screenshots: bash scripts/screenshots.sh
# Starts the app (example data, empty temporary store) on a free port, screenshots every page at
# 1400×1000 into docs/screenshots/<page>.png with Debian's Chromium, and stops the server again.
set -euo pipefail
# shellcheck source=scripts/_bootstrap.sh
source "$(dirname "${BASH_SOURCE[0]}")/_bootstrap.sh"

ensure_venv dev
ensure_chromium
if [ ! -x "$CHROMIUM" ]; then
    echo "no Chromium at $CHROMIUM: cannot take screenshots" >&2
    exit 1
fi

port="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
scratch="$(mktemp -d)"
mkdir -p artifacts
log=artifacts/screenshots-server.log
# The official boundary files, when they are beside the project (../shared), so the README shows the real map;
# otherwise the map is schematic. Named per layer, as COHORT_BOUNDARIES accepts a directory of <LAYER>.geojson.
official="$ROOT/../shared/data/boundaries"
if [ -z "${COHORT_BOUNDARIES:-}" ] && [ -d "$official" ]; then
    mkdir -p "$scratch/boundaries"
    ln -s "$official/gebieden_2015_GEBIEDEN22.geojson" "$scratch/boundaries/GEBIEDEN22.geojson"
    ln -s "$official/gebieden_2022_INDELING_GEBIED.geojson" "$scratch/boundaries/INDELING_GEBIED.geojson"
    ln -s "$official/stadsdelen_2022_INDELING_STADSDEEL.geojson" "$scratch/boundaries/INDELING_STADSDEEL.geojson"
    export COHORT_BOUNDARIES="$scratch/boundaries"
fi
COHORT_STORE_DIR="$scratch/store" COHORT_CACHE_DIR="$scratch/cache" \
COHORT_BOUNDARIES_DOWNLOAD="${COHORT_BOUNDARIES_DOWNLOAD:-0}" \
    "$VENV/bin/python" -m streamlit run serve.py --server.headless true --server.address 127.0.0.1 \
    --server.port "$port" --browser.gatherUsageStats false --server.fileWatcherType none >"$log" 2>&1 &
server=$!
stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$scratch"
}
trap stop_server EXIT

step "app started on port $port (log: $log); taking screenshots"
if ! "$VENV/bin/python" scripts/take_screenshots.py --base-url "http://127.0.0.1:$port" --out docs/screenshots; then
    echo "screenshots failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
fi
