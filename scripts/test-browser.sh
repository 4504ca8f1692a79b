# Sourced by scripts/test, after scripts/test-services.sh (it uses _die and _apt_install): make
# sure the end-to-end journey (tests/e2e) has its browser and its accessibility checker.
#
# The browser is Debian's `chromium` package (installed when missing and we are root; never a
# browser download), and axe-core comes from the npm registry at the version package-lock.json
# pins (`npm ci` when node_modules lacks it or holds another version). Either missing fails the
# run: the journey is never skipped.

_axe_installed_matches_lock() {
  # True when node_modules holds axe-core at the version package-lock.json pins.
  node -e '
    const lock = require("./package-lock.json").packages["node_modules/axe-core"];
    const installed = require("./node_modules/axe-core/package.json");
    process.exit(lock && installed.version === lock.version ? 0 : 1);
  ' 2>/dev/null
}

ensure_browser() {
  command -v chromium >/dev/null || _apt_install chromium
  command -v chromium >/dev/null || _die "chromium is still missing after installing it."
  command -v npm >/dev/null || _apt_install npm
  command -v node >/dev/null || _die "node is missing: install the Debian package 'nodejs'."
  if ! _axe_installed_matches_lock; then
    echo "make test: installing axe-core from the npm registry (npm ci)..." >&2
    npm ci --no-audit --no-fund --loglevel=error >&2 \
      || _die "npm ci failed: axe-core (package-lock.json) is needed by tests/e2e."
    _axe_installed_matches_lock || _die "node_modules/axe-core does not match package-lock.json."
  fi
}
