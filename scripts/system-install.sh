# Sourced by the ensure-*.sh scripts: install one tool with the system's package manager.
#
#   try_install APT DNF APK PACMAN ZYPPER BREW
#
# names the tool's package for apt-get, dnf/yum, apk, pacman, zypper and Homebrew ("-" where that
# manager has none; BREW may hold several words, e.g. "--cask chromium"). It uses the first
# manager found, as root or through passwordless sudo (Homebrew as the user), and never fails:
# the calling script checks afterwards whether the tool is there.
try_install() {
    apt=$1 dnf=$2 apk=$3 pacman=$4 zypper=$5 brew=$6
    SUDO=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    fi
    if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
        if command -v apt-get >/dev/null 2>&1 && [ "$apt" != - ]; then
            $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$apt" >/dev/null
        elif command -v dnf >/dev/null 2>&1 && [ "$dnf" != - ]; then $SUDO dnf install -y "$dnf"
        elif command -v yum >/dev/null 2>&1 && [ "$dnf" != - ]; then $SUDO yum install -y "$dnf"
        elif command -v apk >/dev/null 2>&1 && [ "$apk" != - ]; then $SUDO apk add "$apk"
        elif command -v pacman >/dev/null 2>&1 && [ "$pacman" != - ]; then $SUDO pacman -S --noconfirm "$pacman"
        elif command -v zypper >/dev/null 2>&1 && [ "$zypper" != - ]; then $SUDO zypper --non-interactive install "$zypper"
        fi
    elif command -v brew >/dev/null 2>&1 && [ "$brew" != - ]; then
        # shellcheck disable=SC2086  # BREW may be several words
        brew install $brew
    fi
    return 0
}
