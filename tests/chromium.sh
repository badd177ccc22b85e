#!/usr/bin/env bash
# Installs what the browser tests need, if missing: Debian's Chromium (driven by Playwright, no
# browser download) and a color emoji font, so that event avatars render in the screenshots.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then exit 0; fi
echo "Installing Chromium and an emoji font from Debian's packages..." >&2
as_root apt-get update -q >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-color-emoji >&2
