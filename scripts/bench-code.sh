#!/usr/bin/env bash
# Whole-process timing of `vmfa code` (passphrase in the environment) against
# `oathtool --totp`, in one hyperfine run, and the ratio of their means.
# The vault uses the default work factor (18), so the scrypt unlock dominates:
# that is the real cost a script pays per code.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
command -v oathtool >/dev/null || { echo "needs oathtool (apt-get install oathtool)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/vmfa" ./cmd/vmfa
export VMFA_DIR="$tmp/vault" VMFA_PASSPHRASE="bench passphrase"
secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
echo "otpauth://totp/Amazon%20Web%20Services:alice?secret=$secret" |
	VMFA_WORK_FACTOR="${WORK_FACTOR:-18}" "$tmp/vmfa" add --uri >/dev/null

hyperfine -N --warmup 3 --runs "${RUNS:-20}" --export-json "$tmp/h.json" \
	-n vmfa "$tmp/vmfa code amazon" \
	-n oathtool "oathtool --totp -b $secret" >&2
python3 - "$tmp/h.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"vmfa code: {r['vmfa']*1000:.1f} ms, oathtool --totp: {r['oathtool']*1000:.1f} ms, ratio vmfa/oathtool: {r['vmfa']/r['oathtool']:.1f}")
PY
