# Shared set-up for scripts/start.sh, scripts/test.sh and scripts/screenshots.sh. Source it, don't run it.
#
# After sourcing: the working directory is the repository root, $ROOT and $VENV are set, and these
# functions exist:
#   ensure_venv runtime|dev   create .venv if missing; pip install the requirements and the package
#                             (editable) unless a stamp shows the same requirements are installed already
#   ensure_chromium           install Debian's chromium when /usr/bin/chromium is missing
#   ensure_axe                npm ci in tests/browser when axe-core is missing or the lock file changed
#   ensure_poppler            install Debian's poppler-utils (pdftoppm: the briefing tests render PDF to PNG)
#   ensure_postgresql         install Debian's postgresql when no server binaries are there (store tests)
#   ensure_nginx              install Debian's nginx when missing (the deployment config is checked with it)
#   as_root CMD...            run CMD as root (directly, or via sudo), or return 1
#   step MESSAGE / warn MESSAGE

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
CHROMIUM="${COHORT_CHROMIUM:-/usr/bin/chromium}"
cd "$ROOT"

step() { printf '==> %s\n' "$*"; }
warn() {
    printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
    printf '!!! %s\n' "$@" >&2
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        return 1
    fi
}

_apt_updated=0
apt_install() {
    if [ "$_apt_updated" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        _apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

apt_install_quietly() {
    # Install packages without starting their services: the tests start their own throw-away PostgreSQL and
    # nginx, and a package's default service (port 5432, port 80) is not wanted on a CI or developer machine.
    local guard=/usr/sbin/policy-rc.d created=0 status=0
    if [ ! -e "$guard" ]; then
        as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$guard && chmod +x $guard" && created=1
    fi
    apt_install "$@" || status=$?
    [ "$created" -eq 1 ] && as_root rm -f "$guard"
    return "$status"
}

_requirements_hash() {
    # Everything that decides what pip installs: the requirement files, the package metadata, the Python.
    local files=(requirements.txt pyproject.toml)
    [ "$1" = dev ] && files+=(requirements-dev.txt)
    { cat "${files[@]}"; "$VENV/bin/python" --version; } | sha256sum | cut -d' ' -f1
}

ensure_venv() {
    local profile="$1" requirements stamp want
    case "$profile" in
        runtime) requirements=requirements.txt ;;
        dev) requirements=requirements-dev.txt ;;
        *) echo "ensure_venv: unknown profile '$profile'" >&2; return 2 ;;
    esac
    if [ ! -x "$VENV/bin/python" ]; then
        step "creating virtual environment in .venv"
        if ! python3 -m venv "$VENV" 2>/dev/null; then
            # Debian's python3 ships without ensurepip; python3-venv brings it.
            rm -rf "$VENV"
            step "python3 -m venv failed; installing Debian's python3-venv"
            apt_install python3-venv || { warn "cannot install python3-venv: install it and retry"; return 1; }
            python3 -m venv "$VENV"
        fi
    fi
    stamp="$VENV/.cohort-requirements-$profile"
    want="$(_requirements_hash "$profile")"
    # A dev install includes every runtime requirement, so it satisfies start.sh too.
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        step "dependencies up to date ($requirements)"
        return 0
    fi
    step "installing $requirements and the package (editable) into .venv"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" -e .
    echo "$want" >"$stamp"
    if [ "$profile" = dev ]; then
        _requirements_hash runtime >"$VENV/.cohort-requirements-runtime"
    fi
}

ensure_chromium() {
    if [ -x "$CHROMIUM" ]; then
        return 0
    fi
    step "$CHROMIUM is missing; installing Debian's chromium (browsers are never downloaded by Playwright)"
    if [ "$CHROMIUM" = /usr/bin/chromium ] && apt_install chromium fonts-liberation fonts-dejavu-core; then
        return 0
    fi
    warn "Chromium is not installed at $CHROMIUM and could not be installed (need root or sudo)." \
        "Browser tests will be skipped (and fail when CI=true). Install it with:" \
        "    sudo apt-get update && sudo apt-get install -y chromium"
    return 0
}

ensure_axe() {
    local dir="$ROOT/tests/browser" stamp want
    stamp="$dir/node_modules/.cohort-lock-sha256"
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ -f "$dir/node_modules/axe-core/axe.min.js" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        step "npm is missing; installing Debian's npm"
        apt_install npm || {
            warn "npm is not installed and could not be installed: the accessibility checks cannot run."
            return 0
        }
    fi
    step "installing axe-core (npm ci in tests/browser)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
}

ensure_poppler() {
    if command -v pdftoppm >/dev/null 2>&1; then
        return 0
    fi
    step "pdftoppm is missing; installing Debian's poppler-utils (the briefing tests render the PDF to PNG)"
    apt_install poppler-utils && return 0
    warn "poppler-utils could not be installed (need root or sudo): the briefing's PNG test will be skipped" \
        "(and fail when CI=true). Install it with: sudo apt-get install -y poppler-utils"
    return 0
}

ensure_postgresql() {
    # tests/pg_server.py starts a throw-away cluster with initdb/pg_ctl from /usr/lib/postgresql/<version>/bin.
    if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        return 0
    fi
    step "PostgreSQL server binaries are missing; installing Debian's postgresql (for the shared-store tests)"
    if apt_install_quietly postgresql; then
        return 0
    fi
    warn "PostgreSQL could not be installed (need root or sudo)." \
        "The PostgreSQL store tests will be skipped (and fail when CI=true). Install it with:" \
        "    sudo apt-get update && sudo apt-get install -y postgresql"
    return 0
}

ensure_nginx() {
    # tests/unit/test_deploy.py validates docs/deploy/nginx-cohortmonitor.conf with `nginx -t`.
    if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
        return 0
    fi
    step "nginx is missing; installing Debian's nginx (to validate the deployment config)"
    if apt_install_quietly nginx; then
        return 0
    fi
    warn "nginx could not be installed (need root or sudo)." \
        "The deployment config test will be skipped (and fail when CI=true). Install it with:" \
        "    sudo apt-get update && sudo apt-get install -y nginx"
    return 0
}
