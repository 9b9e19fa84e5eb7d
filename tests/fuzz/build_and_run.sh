#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang++ (ASan + UBSan) into build/fuzz and runs each
# for SECONDS (default 60). No CMake: the core, the plot module, the CLI and the GL-free readers of
# app/gui/files (preferences, autosave) are compiled directly.
#
#   tests/fuzz/build_and_run.sh [SECONDS]
#   FUZZ_TARGETS="fuzz_prefs fuzz_autosave" FUZZ_RUNS=1000000 tests/fuzz/build_and_run.sh 600
#
# Targets: fuzz_scene_loader (core::parseAnyScene), fuzz_cli_args (attnmd-cli's command line),
# fuzz_prefs (the preferences reader), fuzz_autosave (the crash-recovery reader); FUZZ_TARGETS picks
# some, FUZZ_RUNS stops each after that many executions (or SECONDS, whichever comes first), FUZZ_OUT
# builds and runs in another folder than build/fuzz.
# Corpora live in build/fuzz/corpus-<target> (seeded from assets/scenes, tests/fixtures/scenes and
# tests/fuzz/seeds) and grow from run to run; crashes are written to build/fuzz/crash-<target>-* and
# make the script fail. Turn each into a fixture and a test (tests/fixtures/fuzz/, see
# tests/unit/test_scene_io.cpp and tests/ui/test_files_fuzz_regressions.cpp).
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${FUZZ_OUT:-$ROOT/build/fuzz}"
CXX="${CXX:-clang++}"
JOBS="${JOBS:-2}"
TARGETS=(${FUZZ_TARGETS:-fuzz_scene_loader fuzz_cli_args fuzz_prefs fuzz_autosave})
RUNS=()
[[ -n "${FUZZ_RUNS:-}" ]] && RUNS=(-runs="$FUZZ_RUNS")
mkdir -p "$OUT/obj"

FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -DATTNMD_VERSION="\"fuzz\"" -I"$ROOT" -isystem /usr/include/eigen3)

# Library sources: the core, the plot module, the CLI (without its main), the app's file readers that
# need no ImGui or GL.
SOURCES=("$ROOT"/core/*.cpp "$ROOT"/app/plot/*.cpp)
for f in "$ROOT"/app/cli/*.cpp; do [[ "$(basename "$f")" == main.cpp ]] || SOURCES+=("$f"); done
for f in prefs_parse autosave_parse autosave user_dirs; do SOURCES+=("$ROOT/app/gui/files/$f.cpp"); done

# Compile what changed, JOBS at a time.
OBJECTS=()
pids=()
for src in "${SOURCES[@]}"; do
  rel="${src#"$ROOT"/}"
  obj="$OUT/obj/${rel//\//_}.o"
  OBJECTS+=("$obj")
  headers=("$ROOT/core" "$ROOT/app/cli" "$ROOT/app/plot")
  [[ "$rel" == app/gui/files/* ]] && headers+=("$ROOT/app/gui/files")
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find "${headers[@]}" -name '*.h' -newer "$obj" -print -quit)" ]]; then
    "$CXX" "${FLAGS[@]}" -c "$src" -o "$obj" &
    pids+=($!)
    if (( ${#pids[@]} >= JOBS )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
for target in "${TARGETS[@]}"; do
  "$CXX" "${FLAGS[@]/fuzzer-no-link/fuzzer}" "$ROOT/tests/fuzz/$target.cpp" "${OBJECTS[@]}" -o "$OUT/$target"
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  if [[ "$target" == fuzz_scene_loader ]]; then
    find "$ROOT/assets/scenes" "$ROOT/tests/fixtures/scenes" "$ROOT/tests/fixtures/fuzz" "$ROOT/tests/fixtures/ntp" -name '*.json' \
      -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  elif [[ "$target" == fuzz_prefs ]]; then
    find "$ROOT/tests/fuzz/seeds/prefs" "$ROOT/tests/fixtures/fuzz" -name '*.json' \
      \( -path '*/seeds/*' -o -name 'prefs-*' \) -exec cp -n {} "$corpus/" \; 2>/dev/null || true
  elif [[ "$target" == fuzz_autosave ]]; then
    # The scene fixtures in autosave envelopes (the form AutosaveSession writes), and broken envelopes.
    find "$ROOT/tests/fixtures/fuzz" -name 'autosave-*' -exec cp -n {} "$corpus/" \; 2>/dev/null || true
    i=0
    for scene in "$ROOT"/assets/scenes/*.json "$ROOT"/tests/fixtures/scenes/good/*.json; do
      [[ -f "$scene" ]] || continue
      { printf '{"format": "attnmd-autosave", "version": 1, "saved_at": 1717171717.25, "pid": 4242, '
        printf '"document_path": "/home/me/%s", "scene": ' "$(basename "$scene")"
        cat "$scene"
        printf '}\n'; } > "$corpus/seed-$i.json"
      i=$((i + 1))
    done
    for body in '{"format": "attnmd-autosave", "version": 99, "scene": {}}' '{"format": "something-else", "version": 1}' \
                '{}' '{"format": "attnmd-autosave", "version": 1}' '{"format": "attnmd-autosave", "version": 1.5, "scene": {}}' \
                '{"format": "attnmd-autosave", "version": 1, "saved_at": "noon", "document_path": 3, "scene": {"a": [1, {"b": null}]}}'; do
      printf '%s' "$body" > "$corpus/seed-$i.json"
      i=$((i + 1))
    done
  else
    # Command lines, arguments separated by NUL bytes; a.json, b.json, ... are scenes in its folder.
    i=0
    for line in 'svm|a.json' 'svm|b.json|--tokens|optimal|--p|3' 'svm|c.json|--norm|nuclear' \
                'generate|--preset|random|--n|3|--T|4|--d|5|--seed|7' 'generate|--list' \
                'generate|--preset|clusters|--cross-attention' 'train|a.json|--iters|1e3' 'figure|a.json' \
                '--help' 'train|--help' '--version' 'svm|d.json|--tokens|0,1,2'; do
      printf '%s' "$line" | tr '|' '\0' > "$corpus/seed-$i"
      i=$((i + 1))
    done
  fi
  echo "== $target: ${SECONDS_PER_TARGET} s"
  # fuzz_autosave writes each input into a temporary folder: on a tmpfs, not the disk.
  tmp="${TMPDIR:-/tmp}"
  [[ -d /dev/shm && -w /dev/shm ]] && tmp=/dev/shm
  if ! (cd "$OUT" && TMPDIR="$tmp" ATTNMD_FUZZ_SCENES="$ROOT/assets/scenes" \
        "./$target" "$corpus" -max_total_time="$SECONDS_PER_TARGET" "${RUNS[@]}" -timeout=20 -rss_limit_mb=4096 \
        -max_len=65536 -artifact_prefix="$OUT/crash-$target-" -print_final_stats=1 2>&1 | tail -25); then
    status=1
  fi
done
exit $status
