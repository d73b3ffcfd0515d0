#!/usr/bin/env bash
# Install the Debian packages Begleiter needs, but only those that are missing.
# Usage: scripts/ensure-system.sh run|test
# Runs apt directly as root, via sudo otherwise; says in German what it does.
set -euo pipefail

run_packages=(espeak-ng libespeak-ng1 libportaudio2 python3-venv wngerman)
test_packages=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils sox)

wanted=("${run_packages[@]}")
if [ "${1:-run}" = "test" ]; then
    wanted+=("${test_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing+=("$pkg") ;;
    esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "Es fehlen Systempakete (${missing[*]}), aber apt-get gibt es hier nicht. Bitte von Hand installieren." >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    echo "Ich installiere fehlende Systempakete mit sudo: ${missing[*]}" >&2
    echo "Dafür fragt sudo eventuell nach Ihrem Passwort." >&2
    sudo=(sudo)
else
    echo "Es fehlen Systempakete (${missing[*]}). Bitte als root installieren: apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "Installiere Systempakete: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
