#!/usr/bin/env bash
# Regenerates docs/tui-list.png and docs/tui-enroll.png: the real vmfa in a
# real xterm under Xvfb, with a demo vault of fake secrets.
# Needs: apt-get install xvfb xterm tmux imagemagick fonts-dejavu-core
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
go build -o "$tmp/" ./cmd/vmfa ./cmd/vmfa-full
export VMFA_DIR="$tmp/vault" VMFA_PASSPHRASE=demo VMFA_WORK_FACTOR=10
for i in 1 2 3 4 5 6 7 8 9; do
	secret=$(printf 'demo%s' "$i" | sha1sum | cut -c1-40 | xxd -r -p | base32 | tr -d =)
	case $i in
	1) label="Amazon%20Web%20Services:alice@123456789012" ;; 2) label="Amazon%20Web%20Services:root@prod-account" ;;
	3) label="GitHub:alice" ;; 4) label="Google:alice@gmail.com" ;; 5) label="Cloudflare:ops@example.com" ;;
	6) label="Proton:alice@proton.me" ;; 7) label="Tailscale:alice@github" ;; 8) label="npm:alice" ;; 9) label="Hetzner:K0123456" ;;
	esac
	echo "otpauth://totp/$label?secret=$secret"
done | "$tmp/vmfa" add --uri >/dev/null

# An X server and a tmux server of our own: -displayfd picks a free display.
sock=vmfa-shot-$$
Xvfb -displayfd 3 -screen 0 1000x560x24 -nolisten tcp 3>"$tmp/display" 2>/dev/null &
xvfb=$!
trap 'tmux -L "$sock" kill-server 2>/dev/null; kill $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
while [ ! -s "$tmp/display" ]; do sleep 0.1; done
export DISPLAY=:$(cat "$tmp/display")
xterm -geometry 100x26+0+0 -bg '#1e1e2e' -fg '#dddddd' -fa 'DejaVu Sans Mono' -fs 11 \
	-e tmux -L "$sock" new-session -s shot "$tmp/vmfa" &
sleep 1
tmux -L "$sock" set -g status off
# Shoot the list 7 s before a window ends, when the next codes show.
sleep $(( (30 - $(date +%s) % 30 + 23) % 30 ))
import -window root "$tmp/root.png" && convert "$tmp/root.png" -trim +repage docs/tui-list.png
sleep 8
tmux -L "$sock" send-keys -t shot C-e # the enrollment view of the selected account
sleep 1
import -window root "$tmp/root.png" && convert "$tmp/root.png" -trim +repage docs/tui-enroll.png
