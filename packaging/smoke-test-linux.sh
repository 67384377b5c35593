#!/usr/bin/env bash
# Install the Debian package built by packaging/build-linux.sh and check the
# *installed* program, as an executive's machine would run it: no Python, no
# network, a clean HOME and a bare environment.
#
#   bash packaging/smoke-test-linux.sh [PATH.deb] [--keep]
#
# Installs with apt-get (which pulls the Depends), runs `ExecDash --version`,
# `ExecDash --self-test` (offscreen, and under Xvfb when xvfb-run is there),
# `execdash demo` / `kpis --json` / `serve` from /usr/bin, checks the desktop entry
# (desktop-file-validate when installed) and the icon, prints the sizes, and
# removes the package again unless --keep. Needs root or sudo. Uses no Python.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=""
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    *.deb) DEB=$arg ;;
    *) echo "usage: $0 [PATH.deb] [--keep]" >&2; exit 2 ;;
  esac
done
if [ -z "$DEB" ]; then
  DEB=$(ls -t dist/*.deb 2>/dev/null | head -n1 || true)
fi
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "smoke-test: no .deb (run ./dev package first)" >&2; exit 1; }
case "$DEB" in /*) ;; *) DEB=$PWD/$DEB ;; esac

say() { printf '== %s\n' "$*"; }
fail() { printf 'smoke-test: FAIL: %s\n' "$*" >&2; exit 1; }
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"

PACKAGE=$(dpkg-deb -f "$DEB" Package)
VERSION=$(dpkg-deb -f "$DEB" Version)
say "installing $DEB ($PACKAGE $VERSION)"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq "$DEB" >/dev/null 2>&1; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "$DEB" >/dev/null
fi
dpkg-query -W -f='${Status}\n' "$PACKAGE" | grep -q "install ok installed" || fail "$PACKAGE is not installed"
cleanup() {
  if [ "$KEEP" != 1 ]; then
    say "removing $PACKAGE (--keep keeps it)"
    $sudo apt-get purge -y -qq "$PACKAGE" >/dev/null 2>&1 || true
  fi
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}
trap cleanup EXIT

say "installed files"
for f in /opt/$PACKAGE/ExecDash /usr/bin/$PACKAGE /usr/bin/ExecDash \
         /usr/share/applications/$PACKAGE.desktop \
         /usr/share/icons/hicolor/256x256/apps/$PACKAGE.png \
         /usr/share/icons/hicolor/scalable/apps/$PACKAGE.svg; do
  [ -e "$f" ] || fail "missing $f"
  echo "  $f"
done

DESKTOP=/usr/share/applications/$PACKAGE.desktop
grep -q "^Icon=$PACKAGE$" "$DESKTOP" || fail "$DESKTOP: Icon is not $PACKAGE"
exec_cmd=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$DESKTOP")
command -v "$exec_cmd" >/dev/null || fail "$DESKTOP: Exec=$exec_cmd is not on PATH"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$DESKTOP" || fail "desktop-file-validate $DESKTOP"
  echo "  desktop-file-validate: ok"
else
  echo "  (desktop-file-validate not installed: apt-get install desktop-file-utils to check the entry)"
fi

# a bare environment: no Python variables, no virtualenv on PATH, a fresh HOME
WORK=$(mktemp -d)
chmod 0755 "$WORK"
run() { env -i HOME="$WORK/home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
mkdir -p "$WORK/home"

say "ExecDash --version"
got=$(run ExecDash --version)
echo "  $got"
case "$got" in *" $VERSION") ;; *) fail "--version printed '$got', the package is $VERSION" ;; esac

say "ExecDash --self-test (offscreen)"
t0=$(date +%s%N)
run QT_QPA_PLATFORM=offscreen ExecDash --self-test || fail "--self-test (offscreen)"
echo "  self-test wall time: $(( ($(date +%s%N) - t0) / 1000000 )) ms"

if command -v xvfb-run >/dev/null; then
  say "ExecDash --self-test (xcb, under Xvfb)"
  run xvfb-run -a -s "-screen 0 1920x1080x24" ExecDash --self-test >"$WORK/xvfb.log" 2>&1 \
    || { cat "$WORK/xvfb.log"; fail "--self-test under Xvfb"; }
  tail -n1 "$WORK/xvfb.log"
fi

say "execdash demo / kpis --json / serve"
run execdash demo --db "$WORK/demo.sqlite" --orders 20000 --end 2026-10
run execdash kpis --db "$WORK/demo.sqlite" --json > "$WORK/kpis.json"
grep -q '"executiveKpis"' "$WORK/kpis.json" || fail "kpis --json printed no kpis"
echo "  kpis --json: $(wc -c < "$WORK/kpis.json") bytes"
# import and export (pandas, calamine and XlsxWriter in the bundle): a workbook round trip
run execdash export --db "$WORK/demo.sqlite" --dashboard executive --out "$WORK/book.xlsx" >/dev/null \
  || fail "execdash export wrote no workbook"
run execdash import --db "$WORK/imported.sqlite" "$WORK/book.xlsx" >/dev/null || fail "execdash import failed"
run execdash kpis --db "$WORK/imported.sqlite" --json | cmp -s - "$WORK/kpis.json" \
  || fail "kpis --json differs after an export/import round trip"
echo "  export + import round trip: kpis --json byte-equal"
run execdash pack --db "$WORK/demo.sqlite" --out "$WORK/pack.pdf" && [ "$(head -c 4 "$WORK/pack.pdf" 2>/dev/null)" = "%PDF" ] || fail "execdash pack wrote no PDF"
run execdash serve --db "$WORK/demo.sqlite" --port 0 > "$WORK/serve.log" 2>&1 &
server=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/api.*|\1|p' "$WORK/serve.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$WORK/serve.log"; kill "$server" 2>/dev/null || true; fail "serve did not start"; }
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
health=$(cat <&3)
exec 3<&-
kill "$server"
wait "$server" 2>/dev/null || true
case "$health" in *"200 OK"*'"status":"ok"'*) echo "  serve: GET /api/health on port $port: 200 ok" ;;
  *) echo "$health" | head -n 20; fail "serve: /api/health did not answer ok" ;; esac

say "sizes"
printf '  %-40s %s\n' "package $(basename "$DEB")" "$(du -h --apparent-size "$DEB" | cut -f1)"
printf '  %-40s %s\n' "installed /opt/$PACKAGE" "$(du -sh /opt/"$PACKAGE" | cut -f1)"
say "smoke test passed"
