#!/usr/bin/env bash
# Whole-process timing of `vmfa code` against `oathtool --totp`, side by side
# in one hyperfine run: medians, the ratio, and vmfa's peak RSS.
#
#	scripts/bench-code.sh                # through an unlocked agent: no
#	                                     # passphrase in the environment,
#	                                     # stdin and stdout not a terminal
#	scripts/bench-code.sh --passphrase   # VMFA_PASSPHRASE and one scrypt
#	                                     # per code (work factor 18 unless
#	                                     # WORK_FACTOR says otherwise)
#
# hyperfine gives the commands no terminal: stdin and stdout are /dev/null.
# RUNS sets hyperfine's runs (default 200; 20 with --passphrase). The agent
# and its runtime directory are the script's own and are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine oathtool python3; do
	command -v $tool >/dev/null || { echo "bench-code.sh needs $tool" >&2; exit 1; }
done
mode=agent
[ "${1:-}" = --passphrase ] && mode=passphrase

tmp=$(mktemp -d)
agent_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
CGO_ENABLED=0 go build -o "$tmp/" ./cmd/vmfa ./cmd/vmfa-full # as README installs them
export VMFA_DIR="$tmp/vault" XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$tmp/run"
secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
echo "otpauth://totp/Amazon%20Web%20Services:alice?secret=$secret" |
	VMFA_PASSPHRASE="bench passphrase" VMFA_WORK_FACTOR="${WORK_FACTOR:-18}" "$tmp/vmfa" add --uri >/dev/null

if [ $mode = agent ]; then
	VMFA_PASSPHRASE="bench passphrase" "$tmp/vmfa" unlock </dev/null 2>/dev/null
	agent_pid=$("$tmp/vmfa" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["agent_pid"])')
	runs=${RUNS:-200}
	vmfa_cmd="$tmp/vmfa code amazon"
else
	export VMFA_PASSPHRASE="bench passphrase" VMFA_AGENT=off
	runs=${RUNS:-20}
	vmfa_cmd="$tmp/vmfa code amazon"
fi
[ "$($tmp/vmfa code amazon </dev/null)" = "$(oathtool --totp -b $secret)" ] ||
	[ "$($tmp/vmfa code amazon </dev/null)" = "$(oathtool --totp -b $secret)" ] ||
	{ echo "bench-code.sh: vmfa and oathtool disagree" >&2; exit 1; }

hyperfine -N --warmup 10 --runs "$runs" --export-json "$tmp/h.json" \
	-n "vmfa code ($mode)" "$vmfa_cmd" \
	-n "oathtool --totp" "oathtool --totp -b $secret" >&2

# Peak RSS: the largest of 20 runs.
rss=0
for _ in $(seq 20); do
	r=$(/usr/bin/time -f %M $vmfa_cmd 2>&1 >/dev/null </dev/null | tail -1)
	[ "$r" -gt "$rss" ] && rss=$r
done
python3 - "$tmp/h.json" "$rss" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
vmfa, oath = res[0]["median"], res[1]["median"]
print(f"{res[0]['command']}: median {vmfa*1000:.2f} ms; oathtool --totp: median {oath*1000:.2f} ms; "
      f"ratio {vmfa/oath:.1f}; vmfa peak RSS {int(sys.argv[2])/1024:.1f} MiB")
PY
