#!/bin/sh
# Fuzzing campaign (issue 8): builds the fuzz preset (clang, libFuzzer,
# ASan+UBSan), runs every in-process target for SECONDS (default 600) on its
# corpus, one target at a time (-jobs=1, nice -n 19: the machine is shared),
# merges new inputs back into fuzz/corpus/<target>, minimises any crash, and
# prints executions per second and coverage per target.  Not part of .ci/run.
#
#   ci/fuzz.sh [SECONDS]
#   FUZZ_TARGETS="sgl capsule" ci/fuzz.sh 60     # a subset
#   FUZZ_NO_MERGE=1 ci/fuzz.sh 60                 # leave fuzz/corpus alone
#   FUZZ_NO_BUILD=1 ci/fuzz.sh 600                # run the binaries already built
#
# Exit status: 0 when no target found anything, 1 otherwise (the artifacts
# and their minimised versions are listed at the end).
set -eu

SECS=${1:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-fuzz
WORK=${FUZZ_WORK:-$BUILD/campaign}
TARGETS=${FUZZ_TARGETS:-"connect admin discovery_log cm_private_data sgl capsule local_input nvmet_config replay_file"}

# Leaks are bugs here.  A 64 MiB quarantine (256 by default) keeps freed
# memory hot: fresh pages cost more than the run on these VMs, and
# use-after-free within a run is still caught.  UBSan findings halt (the
# preset builds recoverable checks); fuzz/ubsan.supp lists known bugs
# awaiting a fix elsewhere, so the campaign keeps looking for new ones.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$ROOT/fuzz/ubsan.supp}"

cd "$ROOT"
[ -f "$BUILD/CMakeCache.txt" ] || nice cmake --preset fuzz >/dev/null
# FUZZ_NO_BUILD: the tree may be mid-edit while a long campaign runs.
for t in $TARGETS; do
	[ -n "${FUZZ_NO_BUILD:-}" ] || nice cmake --build "$BUILD" -j1 --target "${t}_fuzzer" >/dev/null
done

# One option from an OSS-Fuzz style .options file ("key = value").
opt() {
	sed -n "s/^$2 *= *//p" "$ROOT/fuzz/targets/$1_fuzzer.options" | head -n 1
}

# Every [libfuzzer] option as -key=value, the dictionary with its path.
libfuzzer_args() {
	sed -n '/^\[libfuzzer\]/,/^\[/{s/^\([a-z_]*\) *= *\(.*\)/-\1=\2/p}' \
		"$ROOT/fuzz/targets/$1_fuzzer.options" |
		sed "s|^-dict=|-dict=$ROOT/fuzz/targets/|"
}

mkdir -p "$WORK"
SUMMARY=$WORK/summary.txt
printf '%-16s %6s %10s %8s %7s %7s %7s %7s\n' target secs execs exec/s cov ft corpus found >"$SUMMARY"
found_any=0
for t in $TARGETS; do
	bin=$BUILD/fuzz/${t}_fuzzer
	dir=$WORK/$t
	rm -rf "$dir"
	mkdir -p "$dir/new" "$dir/artifacts"
	echo "== $t: ${SECS}s" >&2
	# -jobs=1 runs one worker whose log is fuzz-0.log in the current
	# directory; new units go to the first corpus directory.
	(cd "$dir" && nice -n 19 "$bin" -jobs=1 -workers=1 -max_total_time="$SECS" \
		-print_final_stats=1 $(libfuzzer_args "$t") -artifact_prefix="$dir/artifacts/" \
		"$dir/new" "$ROOT/fuzz/corpus/$t" >"$dir/driver.log" 2>&1) || true
	log=$dir/fuzz-0.log
	[ -f "$log" ] || log=$dir/driver.log
	last=$(grep -E '^#[0-9]+.*(cov|ft):' "$log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	found=0
	for a in "$dir"/artifacts/*; do
		[ -f "$a" ] || continue
		found=$((found + 1))
		# The smallest input that still fails, next to the original.
		nice -n 19 "$bin" -minimize_crash=1 -max_total_time=60 -runs=100000 \
			-exact_artifact_path="$a.min" "$a" >"$a.minimize.log" 2>&1 || true
		echo "   found: $a (minimised: $a.min)" >&2
	done
	[ "$found" -eq 0 ] || found_any=1
	if [ -z "${FUZZ_NO_MERGE:-}" ]; then
		# Keep only inputs that add coverage to the committed corpus.
		nice -n 19 "$bin" -merge=1 -max_len="$(opt "$t" max_len)" \
			-timeout="$(opt "$t" timeout)" "$ROOT/fuzz/corpus/$t" "$dir/new" \
			>"$dir/merge.log" 2>&1 || echo "   merge failed: $dir/merge.log" >&2
	fi
	printf '%-16s %6s %10s %8s %7s %7s %7s %7s\n' "$t" "$SECS" "${execs:-?}" "${rate:-?}" \
		"${cov:-?}" "${ft:-?}" "$(ls "$ROOT/fuzz/corpus/$t" | wc -l)" "$found" >>"$SUMMARY"
done

echo "== machine: $(nproc) cpus, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
cat "$SUMMARY"
exit "$found_any"
