#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang++ (ASan + UBSan) into build/fuzz and runs each
# for SECONDS (default 60). No CMake: the core, the plot module and the CLI are compiled directly.
#
#   tests/fuzz/build_and_run.sh [SECONDS]
#
# Corpora live in build/fuzz/corpus-<target> (seeded from assets/scenes and tests/fixtures/scenes) and
# grow from run to run; crashes are written to build/fuzz/crash-<target>-* and make the script fail.
# Turn each into a fixture and a unit test (tests/fixtures/fuzz/, see tests/unit/test_scene_io.cpp).
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/build/fuzz"
CXX="${CXX:-clang++}"
JOBS="${JOBS:-2}"
mkdir -p "$OUT/obj"

FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -DATTNMD_VERSION="\"fuzz\"" -I"$ROOT" -isystem /usr/include/eigen3)

# Library sources: the core, the plot module, the CLI (without its main).
SOURCES=("$ROOT"/core/*.cpp "$ROOT"/app/plot/*.cpp)
for f in "$ROOT"/app/cli/*.cpp; do [[ "$(basename "$f")" == main.cpp ]] || SOURCES+=("$f"); done

# Compile what changed, JOBS at a time.
OBJECTS=()
pids=()
for src in "${SOURCES[@]}"; do
  rel="${src#"$ROOT"/}"
  obj="$OUT/obj/${rel//\//_}.o"
  OBJECTS+=("$obj")
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find "$ROOT/core" "$ROOT/app/cli" "$ROOT/app/plot" -name '*.h' -newer "$obj" -print -quit)" ]]; then
    "$CXX" "${FLAGS[@]}" -c "$src" -o "$obj" &
    pids+=($!)
    if (( ${#pids[@]} >= JOBS )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

status=0
for target in fuzz_scene_loader fuzz_cli_args; do
  "$CXX" "${FLAGS[@]/fuzzer-no-link/fuzzer}" "$ROOT/tests/fuzz/$target.cpp" "${OBJECTS[@]}" -o "$OUT/$target"
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  if [[ "$target" == fuzz_scene_loader ]]; then
    find "$ROOT/assets/scenes" "$ROOT/tests/fixtures/scenes" "$ROOT/tests/fixtures/fuzz" "$ROOT/tests/fixtures/ntp" -name '*.json' \
      -exec cp -n {} "$corpus/" \; 2>/dev/null || true
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
  if ! (cd "$OUT" && ATTNMD_FUZZ_SCENES="$ROOT/assets/scenes" \
        "./$target" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 \
        -max_len=65536 -artifact_prefix="$OUT/crash-$target-" -print_final_stats=1 2>&1 | tail -25); then
    status=1
  fi
done
exit $status
