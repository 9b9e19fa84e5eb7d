#!/usr/bin/env bash
# The two commands of README.md, and nothing else a newcomer needs to know.
#
#   scripts/dev.sh run [attnmd args...]   install what is missing, build (Release), start the app
#   scripts/dev.sh test                   install what is missing, build, run every test (ctest),
#                                         then the core tests again under address+UB sanitizers
#   scripts/dev.sh build                  install and build only
#   scripts/dev.sh package                install, build, and make build/release/package/attnmd_<version>_amd64.deb
#   scripts/dev.sh fuzz [seconds]         build the libFuzzer targets (clang) and run each for `seconds`
#
# Environment: ATTNMD_BUILD_DIR (default build/release), ATTNMD_JOBS (default: all cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${ATTNMD_BUILD_DIR:-$root/build/release}
asan_dir=$root/build/asan
jobs=${ATTNMD_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Everything the build, the app and the tests use, as Debian 12 packages.
packages=(
  cmake ninja-build g++ pkg-config
  libeigen3-dev nlohmann-json3-dev libcli11-dev
  libimgui-dev libglfw3-dev libstb-dev libgif-dev libgl-dev libegl-dev libgl1-mesa-dri libglx-mesa0
  fonts-dejavu-core
  coinor-libipopt-dev libgtest-dev libgmock-dev libbenchmark-dev
  xvfb xauth libxml2-utils
  help2man dpkg-dev file desktop-file-utils appstream
)
# `scripts/dev.sh fuzz` only: clang with libFuzzer.
fuzz_packages=(clang)

log() { printf '\033[1m[attnmd]\033[0m %s\n' "$*" >&2; }

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing packages; install them and run this again:"
    echo "sudo apt-get install ${missing[*]}"
    exit 1
  fi
}

configure_and_build() {  # dir, extra cmake args...
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

has_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install_missing
    configure_and_build "$build_dir"
    # attnmd itself says what to do when there is no display (and how to get a screenshot instead).
    exec "$build_dir/attnmd" "$@"
    ;;
  build)
    install_missing
    configure_and_build "$build_dir"
    ;;
  fuzz)
    packages+=("${fuzz_packages[@]}")
    install_missing
    exec "$root/tests/fuzz/build_and_run.sh" "$@"
    ;;
  package)
    install_missing
    configure_and_build "$build_dir"
    cpack --config "$build_dir/CPackConfig.cmake" -B "$build_dir/package"
    log "$(ls "$build_dir"/package/*.deb)"
    ;;
  test)
    install_missing
    start=$(date +%s)
    log "release build"
    configure_and_build "$build_dir"
    log "all tests (GUI tests under Xvfb)"
    run_ctest=(ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 600)
    if has_display; then
      "${run_ctest[@]}"
    else
      xvfb-run -a -s "-screen 0 1600x1000x24" "${run_ctest[@]}"
    fi
    log "sanitizer build (address, undefined): core tests"
    # -O1 keeps the sanitized tests quick without the optimizer's long compile times; the release
    # build above already covers the GUI, the CLI, the state layer and the benchmarks, and
    # `scripts/dev.sh fuzz` runs the file readers and the CLI's arguments under the same sanitizers.
    cmake -S "$root" -B "$asan_dir" -G Ninja -DATTNMD_SANITIZE=ON -DATTNMD_BUILD_GUI=OFF \
      -DATTNMD_BUILD_BENCHMARKS=OFF -DATTNMD_CORE_TESTS_ONLY=ON -DCMAKE_BUILD_TYPE=None \
      "-DCMAKE_CXX_FLAGS=-O1" >/dev/null
    cmake --build "$asan_dir" -j "$jobs" --target unit_tests
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir "$asan_dir" --output-on-failure -j "$jobs" -L unit --timeout 900
    log "all green in $(($(date +%s) - start)) s"
    ;;
  *)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
