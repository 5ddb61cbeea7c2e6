#!/usr/bin/env bash
# Idle CPU of the interface: vmfa with 50 accounts in a real terminal (tmux,
# 120×40), its CPU time read from /proc over SECONDS (default 60) seconds.
# Needs tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SECONDS_TO_MEASURE:-60}
tmp=$(mktemp -d)
sock=vmfa-idle-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/" ./cmd/vmfa ./cmd/vmfa-full
export VMFA_DIR="$tmp/vault" VMFA_PASSPHRASE=idle VMFA_WORK_FACTOR=10
for i in $(seq 1 50); do
	secret=$(printf 'idle%s' "$i" | sha1sum | cut -c1-40 | xxd -r -p | base32 | tr -d =)
	echo "otpauth://totp/Issuer$i:user$i@example.com?secret=$secret"
done | "$tmp/vmfa" add --uri >/dev/null
tmux -L "$sock" new-session -d -s idle -x 120 -y 40 "$tmp/vmfa"
sleep 2
pid=$(pgrep -f "^$tmp/vmfa$")
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" 'BEGIN { printf "idle CPU over %d s with 50 accounts: %.2f%% of one core (%d ticks)\n", s, 100 * d / hz / s, d }'
