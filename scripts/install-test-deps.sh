#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Chromium and its driver for the
# reader's-eye tests (tests/browser), pdftotext (poppler-utils) to read back a page printed to
# PDF, pandoc for checking the citation exports, Java for the Nu HTML checker, and npm for the test-only Node packages (axe-core, vnu-jar) in
# tests/browser/package.json. Does nothing when they are there; says what it skipped when it
# cannot install (not root, no apt-get).
set -u
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
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
fi

# axe-core and the Nu checker's jar, at the versions pinned in tests/browser/package-lock.json.
# --ignore-scripts: vnu-jar's install script would fetch a Java runtime; the system's is used.
browser_tests=tests/browser
if [ ! -f "$browser_tests/node_modules/.package-lock.json" ] ||
  [ "$browser_tests/package-lock.json" -nt "$browser_tests/node_modules/.package-lock.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "Installing the browser tests' Node packages (npm ci --prefix $browser_tests)"
    npm ci --prefix "$browser_tests" --ignore-scripts --no-audit --no-fund --loglevel=error || {
      echo "warning: npm ci failed; the accessibility and HTML checks will be skipped" >&2
    }
  else
    echo "note: npm missing; the accessibility and HTML checks will be skipped." >&2
    echo "      Install npm, then: npm ci --prefix $browser_tests" >&2
  fi
fi
exit 0
