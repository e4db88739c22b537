#!/bin/sh
# Make sure a Chromium browser is on the PATH: the step-through page's tests drive it headless
# with Playwright (installed by pip from the dev extra; it uses this system browser, no download).
# Installs it with the system package manager where that is possible. Where it cannot, it says so
# and exits 0: the browser tests then skip with that reason shown in pytest's summary.
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && exit 0
done
echo "Chromium is missing (needed by the browser tests); trying to install it with the system package manager..." >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    if command -v apt-get >/dev/null 2>&1; then
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    elif command -v dnf >/dev/null 2>&1; then $SUDO dnf install -y chromium
    elif command -v yum >/dev/null 2>&1; then $SUDO yum install -y chromium
    elif command -v apk >/dev/null 2>&1; then $SUDO apk add chromium
    elif command -v pacman >/dev/null 2>&1; then $SUDO pacman -S --noconfirm chromium
    elif command -v zypper >/dev/null 2>&1; then $SUDO zypper --non-interactive install chromium
    fi
elif command -v brew >/dev/null 2>&1; then
    brew install --cask chromium
fi
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
