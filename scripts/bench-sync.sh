#!/usr/bin/env bash
# Whole-process timing of an idle `vmfa sync` (nothing to exchange) against a
# plain `git pull` of the same repository, side by side in one hyperfine
# run: medians and the ratio. The repository is served by `git daemon` on
# 127.0.0.1 (git://), with a vault of 20 accounts; `git pull` runs in a clone
# of it. RUNS sets hyperfine's runs (default 50). Everything is the script's
# own, in a temporary directory removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine git python3; do
	command -v $tool >/dev/null || { echo "bench-sync.sh needs $tool" >&2; exit 1; }
done

tmp=$(mktemp -d)
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
CGO_ENABLED=0 go build -o "$tmp/" ./cmd/vmfa ./cmd/vmfa-full # as README installs them
mkdir -m 700 "$tmp/home" "$tmp/run"
export HOME="$tmp/home" VMFA_DIR="$tmp/vault" XDG_RUNTIME_DIR="$tmp/run" VMFA_AGENT=off GIT_CONFIG_NOSYSTEM=1

git init -q --bare "$tmp/srv/vault.git"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git daemon --listen=127.0.0.1 --port="$port" --reuseaddr --export-all --enable=receive-pack \
	--base-path="$tmp/srv" "$tmp/srv" 2>/dev/null &
daemon_pid=$!
url="git://127.0.0.1:$port/vault.git"
for _ in $(seq 50); do git ls-remote "$url" >/dev/null 2>&1 && break; sleep 0.1; done

for i in $(seq 20); do
	secret=$(python3 -c 'import base64, os; print(base64.b32encode(os.urandom(20)).decode())')
	echo "otpauth://totp/Bench:user$i?secret=$secret"
done | VMFA_PASSPHRASE="bench passphrase" VMFA_WORK_FACTOR=10 "$tmp/vmfa" add --uri >/dev/null
"$tmp/vmfa" sync init "$url" >/dev/null
git clone -q --branch vmfa "$url" "$tmp/clone"
[ "$("$tmp/vmfa" sync)" = "up to date" ] || { echo "bench-sync.sh: vmfa sync is not idle" >&2; exit 1; }

hyperfine -N --warmup 5 --runs "${RUNS:-50}" --export-json "$tmp/h.json" \
	-n "vmfa sync (idle)" "$tmp/vmfa sync" \
	-n "git pull" "git -C $tmp/clone pull -q" >&2

python3 - "$tmp/h.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
vmfa, pull = res[0]["median"], res[1]["median"]
print(f"vmfa sync (idle): median {vmfa*1000:.1f} ms; git pull: median {pull*1000:.1f} ms; ratio {vmfa/pull:.2f}")
PY
