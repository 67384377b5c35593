#!/usr/bin/env bash
# Build the ExecDash bundle (build.spec -> dist/ExecDash.app) and a .dmg of it.
# The macOS counterpart of packaging/build-linux.sh; run by .github/workflows/package.yml.
#
#   bash packaging/macos/build-macos.sh     (PYTHON: the python with the project and
#                                            PyInstaller installed; default python3)
# Signing: PyInstaller signs ad hoc, which runs on the machine that built it. With
# MACOS_SIGN_IDENTITY set to a "Developer ID Application: ..." identity in the
# keychain, the .app is re-signed with the hardened runtime (entitlements.plist),
# ready for notarisation (xcrun notarytool submit dist/ExecDash-<v>.dmg --wait).
# Output: dist/ExecDash.app, dist/ExecDash-<version>.dmg
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
meta() { "$PY" packaging/bundle_config.py "$1"; }
NAME=$(meta name)
VERSION=$(meta version)
APP=dist/$NAME.app
DMG=dist/$NAME-$VERSION.dmg

echo "== PyInstaller: build.spec -> $APP"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
[ -x "$APP/Contents/MacOS/$NAME" ] || { echo "no $APP" >&2; exit 1; }
/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist" | grep -qx "$VERSION"

echo "== checking the bundle"
got=$("$APP/Contents/MacOS/$NAME" --version)
[ "$got" = "$NAME $VERSION" ] || { echo "--version printed '$got', expected '$NAME $VERSION'" >&2; exit 1; }
echo "$got"
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/$NAME" --self-test

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "== signing with $MACOS_SIGN_IDENTITY (hardened runtime)"
  codesign --force --deep --timestamp --options runtime \
    --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$APP"
fi
codesign --verify --deep --strict --verbose=1 "$APP"

echo "== disk image $DMG"
STAGE=build/dmg
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "$NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG" >/dev/null
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$DMG"
fi

echo "== sizes"
echo "bundle $APP: $(du -sm "$APP" | cut -f1) MB"
echo "disk image $DMG: $(du -m "$DMG" | cut -f1) MB"
