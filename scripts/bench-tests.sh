#!/usr/bin/env bash
# What a package's tests cost at two commits, side by side: for each, the
# CPU of the test binary and every process it starts, how many processes
# it starts (perf stat: task-clock, sched:sched_process_exec), and the wall
# time of the run. Usage: scripts/bench-tests.sh BEFORE [AFTER [PACKAGE]];
# AFTER defaults to HEAD, PACKAGE to ./cmd/vmfa-full. ROUNDS (default 2)
# alternates the two, as the machine's load changes. The commits are
# checked out in worktrees under .git (the tests find ../shared from
# there too), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "bench-tests.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
[ $# -ge 1 ] || { echo "usage: scripts/bench-tests.sh BEFORE [AFTER [PACKAGE]]" >&2; exit 2; }
pkg=${3:-./cmd/vmfa-full}
root=$PWD
work=$(git rev-parse --absolute-git-dir)/bench-tests
cleanup() {
	cd "$root"
	for tree in "$work"/*/; do [ -d "$tree" ] && git worktree remove --force "$tree"; done
	rm -rf "$work"
}
trap cleanup EXIT
declare -A commit
for which in before after; do
	ref=${1}; [ $which = after ] && ref=${2:-HEAD}
	commit[$which]=$(git rev-parse --short "$ref^{commit}")
	git worktree add -q --detach "$work/$which" "${commit[$which]}"
	(cd "$work/$which" && go test -c -o "$work/$which.test" "$pkg")
	# The programs the tests build, built now: not part of the cost.
	(cd "$work/$which/$pkg" && "$work/$which.test" -test.run '^$' >/dev/null 2>&1)
done
for round in $(seq "${ROUNDS:-2}"); do
	for which in before after; do
		cd "$work/$which/$pkg"
		start=$(date +%s.%N)
		status=ok
		perf stat -x, -e task-clock,sched:sched_process_exec -o "$work/$which.perf" \
			"$work/$which.test" -test.count=1 >"$work/$which.out" 2>&1 || status=FAIL
		wall=$(echo "$(date +%s.%N) - $start" | bc)
		awk -F, -v which="$which ${commit[$which]}" -v wall="$wall" -v status="$status" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
			/task-clock/ { cpu = $1 / 1000 } /sched_process_exec/ { n = $1 }
			END { printf "%-16s %s  CPU %6.1f s  processes %5d  wall %5.1f s  (load %s)\n", which, status, cpu, n, wall, load }' "$work/$which.perf"
	done
done
