#!/usr/bin/env bash
# Build the ExecDash bundle (build.spec) and from it the Debian package.
#
#   bash packaging/build-linux.sh        (what `./dev package` runs)
#
# Output: dist/ExecDash/ (the one-folder bundle: runs with no Python installed)
#         dist/execdash_<version>_<arch>.deb
# The .deb installs the bundle in /opt/execdash, /usr/bin/execdash and
# /usr/bin/ExecDash, a desktop entry (usr/share/applications/execdash.desktop)
# and the icon (usr/share/icons/hicolor/*/apps/execdash.{png,svg}); it depends on
# the system libraries Qt's xcb platform loads (found by dpkg-shlibdeps).
# Install and check it with: bash packaging/smoke-test-linux.sh
#
# Environment: EXECDASH_VENV (default .venv) names the virtual environment with
# the project and PyInstaller installed (`./dev package` makes it);
# EXECDASH_SKIP_PYINSTALLER=1 re-packages an existing dist/ExecDash.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${EXECDASH_VENV:-$ROOT/.venv}
PY=$VENV/bin/python
say() { printf '== %s\n' "$*"; }
die() { printf 'build-linux: error: %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || die "no virtual environment at $VENV: run ./dev package (it creates one)"
"$PY" -c "import PyInstaller" 2>/dev/null \
  || die "PyInstaller is not installed in $VENV: run ./dev package (or pip install -e '.[build]')"

# Tools from Debian's registry: dpkg-deb (dpkg), dpkg-shlibdeps (dpkg-dev), a C
# compiler for the slim ICU data library (gcc), readelf/strip (binutils).
need=()
command -v dpkg-deb >/dev/null || die "dpkg-deb not found: this script builds a Debian package"
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
{ command -v cc >/dev/null || command -v gcc >/dev/null; } || need+=(gcc)
{ command -v readelf >/dev/null && command -v strip >/dev/null; } || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
  say "installing build tools: ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Metadata, set once: APP_NAME / ORG_NAME / ORG_DOMAIN in execdash_desktop/__init__.py,
# the version in pyproject.toml (read by packaging/bundle_config.py, as build.spec does).
meta() { "$PY" packaging/bundle_config.py "$1"; }
NAME=$(meta name)          # ExecDash
VERSION=$(meta version)
PACKAGE=$(meta package)    # execdash
ORG=$(meta org)
DOMAIN=$(meta domain)
DESCRIPTION=$(meta description)
ARCH=$(dpkg --print-architecture)
BUNDLE=dist/$NAME
DEB=dist/${PACKAGE}_${VERSION}_${ARCH}.deb

# -- 1. the bundle ---------------------------------------------------------------------------
if [ "${EXECDASH_SKIP_PYINSTALLER:-0}" != 1 ] || [ ! -x "$BUNDLE/$NAME" ]; then
  say "PyInstaller: build.spec -> $BUNDLE"
  t0=$SECONDS
  "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller build.spec
  echo "built in $((SECONDS - t0)) s"
fi
[ -x "$BUNDLE/$NAME" ] || die "PyInstaller did not produce $BUNDLE/$NAME"

say "checking the bundle"
# every shared library the bundle links must resolve (in the bundle or on the system)
missing=$(find "$BUNDLE" -type f \( -name '*.so*' -o -name "$NAME" \) -print0 \
  | xargs -0 -r sh -c 'for f; do head -c4 "$f" | grep -q ELF || continue;
      LD_LIBRARY_PATH="'"$BUNDLE"'/_internal" ldd "$f" 2>/dev/null | grep "not found" | sed "s|^|$f: |"; done' _ \
  | sort -u || true)
[ -z "$missing" ] || die "unresolved libraries (install the system packages ./dev installs):
$missing"
got=$(env -u PYTHONPATH -u PYTHONHOME "$BUNDLE/$NAME" --version)
[ "$got" = "$NAME $VERSION" ] || die "$BUNDLE/$NAME --version printed '$got', expected '$NAME $VERSION' (reinstall the project: ./dev package)"
echo "$got"
if [ "${EXECDASH_SKIP_SELFTEST:-0}" != 1 ]; then
  selftest_home=$(mktemp -d)
  env -u PYTHONPATH -u PYTHONHOME HOME="$selftest_home" QT_QPA_PLATFORM=offscreen \
    "$BUNDLE/$NAME" --self-test || die "the bundle's --self-test failed"
  rm -rf "$selftest_home"
fi

# -- 2. the Debian package -------------------------------------------------------------------
say "Debian package: $DEB"
STAGE=build/deb/${PACKAGE}_${VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor" "$STAGE/usr/share/doc/$PACKAGE"
cp -a "$BUNDLE" "$STAGE/opt/$PACKAGE"
# the bootloader finds _internal/ beside the real file, so symlinks on PATH work
ln -s "/opt/$PACKAGE/$NAME" "$STAGE/usr/bin/$PACKAGE"
ln -s "/opt/$PACKAGE/$NAME" "$STAGE/usr/bin/$NAME"
sed -e "s|@NAME@|$NAME|g" -e "s|@PACKAGE@|$PACKAGE|g" -e "s|@COMMENT@|${DESCRIPTION#*: }|g" \
  packaging/linux/execdash.desktop.in > "$STAGE/usr/share/applications/$PACKAGE.desktop"
"$PY" packaging/make_icons.py --hicolor "$STAGE/usr/share/icons/hicolor" >/dev/null
cat > "$STAGE/usr/share/doc/$PACKAGE/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $NAME
Source: https://$DOMAIN/

Files: *
Copyright: $ORG
License: Proprietary
 All rights reserved. Bundled third-party components (Python, Qt for Python,
 NumPy, pyqtgraph, FastAPI, uvicorn and their dependencies) keep their own
 licences; their notices are in /opt/$PACKAGE/_internal/*.dist-info.
EOF

# Depends: the packages providing the system libraries the bundle links (dpkg-shlibdeps
# reads every ELF file; libraries inside the bundle are skipped), plus a font.
shlib_dir=$(mktemp -d)
mkdir -p "$shlib_dir/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PACKAGE" "$PACKAGE" > "$shlib_dir/debian/control"
mapfile -t elves < <(find "$ROOT/$STAGE/opt" -type f \( -name '*.so*' -o -name "$NAME" \) -print0 \
  | xargs -0 sh -c 'for f; do head -c4 "$f" | grep -q ELF && echo "$f"; done' _)
mapfile -t libdirs < <(printf '%s\n' "${elves[@]}" | xargs -n1 dirname | sort -u | sed 's/^/-l/')
shlibs=$(cd "$shlib_dir" && dpkg-shlibdeps -O --ignore-missing-info --warnings=0 "${libdirs[@]}" "${elves[@]}" \
  2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shlib_dir"
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no dependencies"
DEPENDS="$shlibs, fonts-dejavu-core | fonts-noto-core | fonts-liberation2"

INSTALLED_KB=$(du -sk --apparent-size "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PACKAGE
Version: $VERSION
Architecture: $ARCH
Maintainer: $ORG <support@$DOMAIN>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Section: misc
Priority: optional
Homepage: https://$DOMAIN/
Description: $NAME: an offline executive dashboard
 ${DESCRIPTION}.
 .
 One window shows the executive KPIs as cards, the revenue trend as a chart,
 alerts and risks as panels, and drill-down tabs one click behind each card,
 over a local SQLite file; no network and no Python installation needed.
 Command line: $PACKAGE --version | --self-test | demo | kpis | serve.
EOF
# the desktop and icon databases are refreshed by dpkg triggers (desktop-file-utils,
# hicolor-icon-theme); no maintainer scripts needed.
find "$STAGE" -type d -exec chmod 0755 {} +
rm -f dist/"${PACKAGE}"_*.deb
t0=$SECONDS
dpkg-deb --root-owner-group -Zxz -z6 --build "$STAGE" "$DEB" >/dev/null
echo "packed in $((SECONDS - t0)) s"

say "sizes"
bundle_mb=$(du -sm "$BUNDLE" | cut -f1)
deb_mb=$(du -m --apparent-size "$DEB" | cut -f1)
printf '%-44s %6s MB (limit 200)\n' "bundle $BUNDLE" "$bundle_mb"
printf '%-44s %6s MB (limit 75)\n' "package $DEB" "$deb_mb"
echo "Depends: $DEPENDS"
[ "$bundle_mb" -le 200 ] || echo "warning: the bundle is over 200 MB" >&2
[ "$deb_mb" -le 75 ] || echo "warning: the package is over 75 MB" >&2
echo "next: bash packaging/smoke-test-linux.sh   (installs $DEB and runs its --self-test)"
