#!/usr/bin/env bash
# Mount the .dmg, copy ExecDash.app out as a user would, and check the copied
# program (the macOS counterpart of packaging/smoke-test-linux.sh).
#
#   bash packaging/macos/smoke-test-macos.sh [dist/ExecDash-<version>.dmg]
set -euo pipefail
cd "$(dirname "$0")/../.."
DMG=${1:-$(ls -t dist/*.dmg | head -n1)}
WORK=$(mktemp -d)
MNT=$WORK/mnt
trap 'hdiutil detach "$MNT" -quiet >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

echo "== mounting $DMG"
hdiutil attach "$DMG" -nobrowse -readonly -mountpoint "$MNT" >/dev/null
APP_NAME=$(cd "$MNT" && ls -d *.app | head -n1)
[ -n "$APP_NAME" ] || { echo "no .app in $DMG" >&2; exit 1; }
[ -L "$MNT/Applications" ] || { echo "no Applications link in $DMG" >&2; exit 1; }
mkdir -p "$WORK/Applications" "$WORK/home"
cp -R "$MNT/$APP_NAME" "$WORK/Applications/"
hdiutil detach "$MNT" -quiet
APP=$WORK/Applications/$APP_NAME
EXE=$APP/Contents/MacOS/${APP_NAME%.app}
codesign --verify --deep --strict "$APP"

run() { env -i HOME="$WORK/home" PATH=/usr/bin:/bin LANG=en_US.UTF-8 "$@"; }
echo "== --version"
run "$EXE" --version
echo "== --self-test (offscreen)"
run QT_QPA_PLATFORM=offscreen "$EXE" --self-test
echo "== demo / kpis --json"
run "$EXE" demo --db "$WORK/demo.sqlite" --orders 20000 --end 2026-10
run "$EXE" kpis --db "$WORK/demo.sqlite" --json | grep -q '"executiveKpis"'
echo "disk image $(basename "$DMG"): $(du -m "$DMG" | cut -f1) MB; installed $APP_NAME: $(du -sm "$APP" | cut -f1) MB"
echo "== smoke test passed"
