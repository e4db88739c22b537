#!/bin/sh
# Make sure Graphviz's `dot` is on the PATH: micrograd_lr renders graph pictures with it.
# Installs it with the system package manager where that is possible; otherwise says how.
command -v dot >/dev/null 2>&1 && exit 0
echo "Graphviz's 'dot' is missing; trying to install it with the system package manager..." >&2
. "$(dirname "$0")/system-install.sh"
try_install graphviz graphviz graphviz graphviz graphviz graphviz
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
