#!/bin/sh
# Make sure `rsvg-convert` (librsvg) is on the PATH: the gallery tests render every SVG to PNG
# with it to check that no text runs off a canvas.  Installs it with the system package manager
# where that is possible; otherwise says so and carries on (those tests then skip, visibly).
command -v rsvg-convert >/dev/null 2>&1 && exit 0
echo "rsvg-convert is missing; trying to install it with the system package manager..." >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    if command -v apt-get >/dev/null 2>&1; then
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq librsvg2-bin >/dev/null
    elif command -v dnf >/dev/null 2>&1; then $SUDO dnf install -y librsvg2-tools
    elif command -v apk >/dev/null 2>&1; then $SUDO apk add rsvg-convert
    elif command -v pacman >/dev/null 2>&1; then $SUDO pacman -S --noconfirm librsvg
    fi
elif command -v brew >/dev/null 2>&1; then
    brew install librsvg
fi
command -v rsvg-convert >/dev/null 2>&1 && exit 0
echo "warning: rsvg-convert could not be installed (Debian/Ubuntu: sudo apt-get install librsvg2-bin;" \
     "macOS: brew install librsvg); the tests that render the gallery to PNG will be skipped." >&2
exit 0
