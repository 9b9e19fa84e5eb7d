#!/usr/bin/env bash
# The .deb as a user gets it: build it with CPack, unpack it into a temporary root (no dpkg -i, no
# root), and run the installed programs from there: versions, a CLI run, the GUI reading its assets
# from the installed prefix, bash completion, the desktop files, and a program built against the
# installed core with find_package(attnmd).
#
#   tests/package/package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/attnmd-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

version=$(sed -n 's/^project(attnmd VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fail "no project version in CMakeLists.txt"

# ---- build the package (into our own folder, so parallel runs do not share one)
cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb="$work/out/attnmd_${version}_amd64.deb"
[ -f "$deb" ] || { ls "$work/out"; fail "expected $deb"; }
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

# ---- its metadata: dependencies come from dpkg-shlibdeps (the GL, GLFW and C++ runtime libraries)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libglfw3; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done

# ---- its files
root="$work/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -c "$deb" >"$work/files.txt"
for f in usr/bin/attnmd usr/bin/attnmd-cli \
         usr/share/attnmd/assets/scenes/default.json usr/share/attnmd/assets/lessons/welcome.md \
         usr/share/applications/attnmd.desktop usr/share/icons/hicolor/scalable/apps/attnmd.svg \
         usr/share/metainfo/io.github.attnmd.attnmd.metainfo.xml \
         usr/share/bash-completion/completions/attnmd-cli \
         usr/share/man/man1/attnmd.1 usr/share/man/man1/attnmd-cli.1 \
         usr/share/doc/attnmd/README.md usr/share/doc/attnmd/theory.md usr/share/doc/attnmd/scene-format.md \
         usr/include/attnmd/core/scene_io.h usr/lib/cmake/attnmd/attnmdConfig.cmake; do
  [ -e "$root/$f" ] || fail "the package lacks /$f"
done
if grep -q "$src\|$build" "$root/usr/lib/cmake/attnmd/"*.cmake; then fail "the CMake package names build paths"; fi
grep -q "attnmd-cli" "$root/usr/share/man/man1/attnmd-cli.1" || fail "empty man page"

# ---- the installed programs
bin="$root/usr/bin"
[ "$("$bin/attnmd-cli" --version)" = "attnmd-cli $version" ] || fail "attnmd-cli --version"
[ "$("$bin/attnmd" --version)" = "attnmd $version" ] || fail "attnmd --version"
"$bin/attnmd-cli" generate --preset toy-maxmargin --out "$work/toy.json"
"$bin/attnmd-cli" train "$work/toy.json" --iters 200 --out "$work/run" --quiet
[ -s "$work/run/metrics.csv" ] && [ -s "$work/run/result.json" ] || fail "attnmd-cli train wrote nothing"

# The GUI opens the default scene from <prefix>/share/attnmd, not from the source tree or its built-in
# copy: mark the installed one and look for the mark in what the app exports.
if [ -n "${DISPLAY:-}" ]; then
  scene="$root/usr/share/attnmd/assets/scenes/default.json"
  sed -i 's/"format": "attnmd-scene",/"format": "attnmd-scene", "installed_mark": "from the prefix",/' "$scene"
  grep -q installed_mark "$scene" || fail "could not mark the installed default scene"
  "$bin/attnmd" --steps 5 --size 1280x720 --export-bundle "$work/bundle" --exit >"$work/gui.log" 2>&1 ||
    { cat "$work/gui.log"; fail "the installed attnmd failed"; }
  grep -rq "from the prefix" "$work/bundle" || fail "the installed attnmd did not read its prefix's assets"
else
  echo "no display: the GUI check is skipped"
fi

# ---- bash completion
completion=$(PATH="$bin:$PATH" bash -c "source '$root/usr/share/bash-completion/completions/attnmd-cli'
  COMP_WORDS=(attnmd-cli tr); COMP_CWORD=1; _attnmd_cli; echo \${COMPREPLY[*]}
  COMP_WORDS=(attnmd-cli train --opt); COMP_CWORD=2; _attnmd_cli; echo \${COMPREPLY[*]}
  COMP_WORDS=(attnmd-cli generate --preset toy-max); COMP_CWORD=3; _attnmd_cli; echo \${COMPREPLY[*]}")
[ "$completion" = $'train\n--optimizer\ntoy-maxmargin toy-maxmargin-local' ] || fail "bash completion gave: $completion"

# ---- desktop entry and AppStream metadata, where their validators are installed
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$root/usr/share/applications/attnmd.desktop"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/io.github.attnmd.attnmd.metainfo.xml" \
    >"$work/appstream.log" 2>&1 || { cat "$work/appstream.log"; fail "appstreamcli validate"; }
fi

# ---- find_package(attnmd) from the unpacked root
cmake -S "$src/tests/package/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$root/usr" \
  -DCMAKE_BUILD_TYPE=Release >"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "consumer configure"; }
cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "consumer build"; }
out=$("$work/consumer/consumer" "$work/toy.json")
[[ $out == "attnmd $version: 1 sequences, d = 3" ]] || fail "consumer printed: $out"

echo "package test passed; files:"
awk '{print $6}' "$work/files.txt" | grep -v '/$'
