#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Chromium and its driver for the
# reader's-eye tests, pandoc for checking the citation exports. Does nothing when they are
# there; says what it skipped when it cannot install (not root, no apt-get).
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} (Debian packages) for the browser and export tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || {
    echo "warning: could not install ${need[*]}; the tests that need them will be skipped" >&2
  }
else
  echo "note: ${need[*]} missing and not installable here (needs root and apt-get);" >&2
  echo "      the tests that need them will be skipped. On Debian/Ubuntu: sudo apt-get install ${need[*]}" >&2
fi
exit 0
