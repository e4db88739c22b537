#!/bin/sh
# Make sure Graphviz's `dot` is on the PATH: micrograd_lr renders graph pictures with it.
# Installs it with the system package manager where that is possible; otherwise says how.
command -v dot >/dev/null 2>&1 && exit 0
echo "Graphviz's 'dot' is missing; trying to install it with the system package manager..." >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    if command -v apt-get >/dev/null 2>&1; then
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >/dev/null
    elif command -v dnf >/dev/null 2>&1; then $SUDO dnf install -y graphviz
    elif command -v yum >/dev/null 2>&1; then $SUDO yum install -y graphviz
    elif command -v apk >/dev/null 2>&1; then $SUDO apk add graphviz
    elif command -v pacman >/dev/null 2>&1; then $SUDO pacman -S --noconfirm graphviz
    elif command -v zypper >/dev/null 2>&1; then $SUDO zypper --non-interactive install graphviz
    fi
elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
fi
command -v dot >/dev/null 2>&1 && exit 0
cat >&2 <<'MSG'
error: Graphviz's 'dot' program is not installed and could not be installed automatically
(no root/sudo rights, or no known package manager). Install Graphviz yourself, then rerun:
    Debian/Ubuntu: sudo apt-get install graphviz
    Fedora/RHEL:   sudo dnf install graphviz
    macOS:         brew install graphviz
    Windows:       winget install graphviz   (or https://graphviz.org/download/)
MSG
exit 1
