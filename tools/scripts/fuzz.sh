#!/usr/bin/env bash
# The bounded libFuzzer campaign of `make fuzz`: each target in BUILD_DIR
# (configured with -DKILN_FUZZ=ON) runs SECONDS of wall time from its seed
# corpus, in fork mode so that one crash does not end the campaign. Crashing,
# leaking, timing-out and out-of-memory inputs land in BUILD_DIR/fuzz/crashes/;
# the exit status is non-zero when there are any.
set -uo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-60}
shift 2 || shift $#
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(npy signature importer)
  [ -x "$build/bin/kiln-fuzz-artifact" ] && targets+=(artifact)
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$build/fuzz
mkdir -p "$work/tmp"
# The targets write each input to a file under TMPDIR; what a crashed job
# leaves stays in the build dir.
export TMPDIR=$(cd "$work/tmp" && pwd)
/usr/bin/python3 "$here/tools/scripts/fuzz-seeds.py" --out "$work/seeds" --source "$here" || exit 1

# Stop at the first report; leaks count. MLIR keeps process-lifetime
# registrations, which LeakSanitizer does not report once they are reachable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  bin=$build/bin/kiln-fuzz-$t
  [ -x "$bin" ] || { echo "fuzz: expects $bin, found none (ninja -C $build kiln-fuzz-$t)" >&2; exit 1; }
  corpus=$work/corpus/$t crashes=$work/crashes/$t
  mkdir -p "$corpus" "$crashes"
  echo "=== kiln-fuzz-$t: ${seconds}s"
  start=$(date +%s)
  # -timeout: one input may take 10 s (ONNX shape inference of a large seed);
  # -rss_limit_mb: an input that makes Kiln allocate without bound is a finding.
  "$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" "$work/seeds/$t" >"$work/$t.log" 2>&1
  echo "    exit $?, $(( $(date +%s) - start ))s wall; log $work/$t.log"
  grep -E '^#[0-9]+: cov' "$work/$t.log" | tail -1 | sed 's/^/    /'
  found=$(find "$crashes" -type f | sort)
  if [ -n "$found" ]; then
    status=1
    echo "$found" | sed 's/^/    finding: /'
  fi
done
if [ $status -ne 0 ]; then
  echo "fuzz: findings above (reproduce: BUILD_DIR/bin/kiln-fuzz-TARGET FILE)"
else
  echo "fuzz: no findings"
fi
exit $status
