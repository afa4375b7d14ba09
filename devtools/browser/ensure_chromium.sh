#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/e2e), installed when /usr/bin/chromium is missing.
# `make browser` runs it and `make test` depends on it; Playwright drives this binary
# (executable_path), never a browser of its own: nothing is downloaded at run time.
# As root it installs the package with apt-get; otherwise it says what to run and fails.
set -euo pipefail

CHROMIUM=${MARSAD_CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$CHROMIUM" != /usr/bin/chromium ]; then
  echo "MARSAD_CHROMIUM=$CHROMIUM is not an executable file" >&2
  exit 1
fi
install=(apt-get install -y --no-install-recommends chromium fonts-dejavu-core)  # DejaVu: Arabic glyphs in screenshots
if [ "$(id -u)" != 0 ]; then
  echo "the browser tests need Debian's Chromium (/usr/bin/chromium); as root, run:" >&2
  echo "  apt-get update && ${install[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "no apt-get on this machine: install Chromium and set MARSAD_CHROMIUM to its path" >&2
  exit 1
fi
echo "installing Debian's chromium (for tests/e2e)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
"${install[@]}" -qq
"$CHROMIUM" --version
