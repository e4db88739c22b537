#!/bin/sh
# Make sure a Chromium browser is on the PATH: the step-through page's tests drive it headless
# with Playwright (installed by pip from the dev extra; it uses this system browser, no download).
# Installs it with the system package manager where that is possible. Where it cannot, it says so
# and exits 0: the browser tests then skip with that reason shown in pytest's summary.
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && exit 0
done
echo "Chromium is missing (needed by the browser tests); trying to install it with the system package manager..." >&2
. "$(dirname "$0")/system-install.sh"
try_install chromium chromium chromium chromium chromium "--cask chromium"
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && exit 0
done
cat >&2 <<'MSG'
warning: Chromium is not installed and could not be installed automatically (no root/sudo
rights, or no known package manager). The browser tests of the step-through page will be
skipped. To run them, install Chromium yourself (Debian/Ubuntu: sudo apt-get install chromium),
or point the CHROMIUM environment variable at a Chromium or Chrome binary.
MSG
exit 0
