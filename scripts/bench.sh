#!/usr/bin/env bash
# One training step of the papers' scene (query model, n = 6, T = 8, d = 10, nmd p = 3, one core):
# attnmd's core against a plain NumPy loop of the same maths (tests/bench/numpy_step.py), measured in
# the same run, and their ratio.
#
#   scripts/bench.sh [BUILD_DIR]      (default build/release; builds bench_core there if missing)
#
# Needs python3-numpy (Debian: sudo apt-get install python3-numpy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build/release}"
PYTHON=/usr/bin/python3  # Debian's, where python3-numpy installs
[ -x "$PYTHON" ] || PYTHON=python3
if ! "$PYTHON" -c 'import numpy' 2>/dev/null; then
  echo "bench.sh: NumPy is missing; install it with: sudo apt-get install python3-numpy" >&2
  exit 2
fi
if [ ! -x "$BUILD/bench_core" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target bench_core -j"$(nproc)"
fi

# The core: BM_PaperRun at p = 3 with the history off (the step itself), on one core.
core=$("$BUILD/bench_core" --benchmark_filter='BM_PaperRun/300/0' --benchmark_repetitions=3 \
         --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null |
       "$PYTHON" -c 'import json, sys
rows = [b for b in json.load(sys.stdin)["benchmarks"] if b.get("aggregate_name") == "median"]
print(rows[0]["items_per_second"])')
numpy=$("$PYTHON" "$ROOT/tests/bench/numpy_step.py" --steps 20000)
"$PYTHON" - "$core" "$numpy" <<'PY'
import sys
core, numpy = float(sys.argv[1]), float(sys.argv[2])
print(f"attnmd core  {core:12,.0f} steps/s   (bench_core BM_PaperRun/300/0, median of 3)")
print(f"NumPy loop   {numpy:12,.0f} steps/s   (tests/bench/numpy_step.py, best of 3)")
print(f"ratio        {core / numpy:12.1f} x")
PY
