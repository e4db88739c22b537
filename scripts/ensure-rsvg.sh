#!/bin/sh
# Make sure `rsvg-convert` (librsvg) is on the PATH: the gallery tests render every SVG to PNG
# with it to check that no text runs off a canvas.  Installs it with the system package manager
# where that is possible; otherwise says so and carries on (those tests then skip, visibly).
command -v rsvg-convert >/dev/null 2>&1 && exit 0
echo "rsvg-convert is missing; trying to install it with the system package manager..." >&2
. "$(dirname "$0")/system-install.sh"
try_install librsvg2-bin librsvg2-tools rsvg-convert librsvg - librsvg
command -v rsvg-convert >/dev/null 2>&1 && exit 0
echo "warning: rsvg-convert could not be installed (Debian/Ubuntu: sudo apt-get install librsvg2-bin;" \
     "macOS: brew install librsvg); the tests that render the gallery to PNG will be skipped." >&2
exit 0
