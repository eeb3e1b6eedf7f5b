#!/usr/bin/env bash
# Prepares this checkout on a fresh Debian machine (run as root) or a developer's machine, and is
# safe to run again: it installs only what is missing.
#   bash scripts/setup.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages the project needs:
# - chromium: the browser the end-to-end tests and `npm run bench -- renderer` drive through
#   playwright-core (/usr/bin/chromium; Playwright never downloads one);
# - fonts-noto-cjk: Chinese glyphs, so the UI, its screenshots and exported PDFs show text rather
#   than boxes;
# - poppler-utils: pdftotext and pdfinfo, which the report tests use to read exported PDFs back.
DEBIAN_PACKAGES=(chromium fonts-noto-cjk poppler-utils)

# install_debian_packages PACKAGE...
# Installs with apt-get the given packages that are not installed yet. Runs `apt-get update` once,
# and only when something is missing; does nothing for an empty list.
install_debian_packages() {
  local missing=() package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run this script as root to install them" >&2
    return 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

require_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo 'setup: Node.js 20.19 or later is required and was not found' >&2
    return 1
  fi
  if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)'; then
    echo "setup: Node.js 20.19 or later is required; found $(node --version)" >&2
    return 1
  fi
}

# npm ci deletes and reinstalls node_modules, which takes a while; skip it when node_modules was
# installed by this script from the same package-lock.json.
install_node_modules() {
  local stamp=node_modules/.fieldwise-setup-lock-sha256 lock_sum
  lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
    echo 'setup: node_modules matches package-lock.json'
    return 0
  fi
  npm ci --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
}

if [ "${#DEBIAN_PACKAGES[@]}" -gt 0 ]; then
  install_debian_packages "${DEBIAN_PACKAGES[@]}"
fi
require_node
install_node_modules
