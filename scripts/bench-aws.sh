#!/usr/bin/env bash
# Whole-process timing of `vmfa aws credentials` served from the unlocked
# agent's cache, against `vmfa code` through the same agent, run alternately
# (BenchmarkAWSCredentialsCached: a loopback STS of its own answers the one
# GetSessionToken). Prints each one's median in ms and their ratio.
#
#	scripts/bench-aws.sh        # RUNS sets the runs (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go test -run '^$' -bench '^BenchmarkAWSCredentialsCached$' -benchtime "${RUNS:-200}x" ./cmd/vmfa-full |
	grep -E '^Benchmark|^ok|FAIL'
