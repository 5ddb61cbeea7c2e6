#!/bin/sh
# bench-scan.sh times `vmfa scan FILE` against `zbarimg --raw -q FILE`, whole
# process, on the 1x, 2x and 5K screenshots of otp/qr/testdata, then one
# process per image over the whole degraded set (otp/qr/testdata/degraded),
# and prints vmfa's time as a fraction of zbarimg's (and the same for CPU
# time, user and system). Below 1 is faster. Both run side by side in one
# hyperfine run, so that the load of the machine weighs on both alike.
#
#	scripts/bench-scan.sh                     # build ./cmd/vmfa and vmfa-full, time them
#	VMFA=/path/to/vmfa scripts/bench-scan.sh  # time an existing binary
#	scripts/bench-scan.sh --zbar-conformance  # count what zbarimg decodes of
#	                                          # the ZXing QR sets, per rotation
#
# Needs hyperfine, zbarimg (zbar-tools) and jq; --zbar-conformance needs
# ImageMagick's convert and ../shared/corpus/zxing-qr next to the repository.
set -eu
cd "$(dirname "$0")/.."
testdata=otp/qr/testdata

# zbarimg prints a D-Bus error on stderr on machines without a system bus:
# it is harmless, and its stderr is discarded throughout.

if [ "${1:-}" = --zbar-conformance ]; then
	corpus=../shared/corpus/zxing-qr
	[ -d "$corpus" ] || { echo "bench-scan.sh: $corpus not found" >&2; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	printf '%-9s %14s %14s %14s %14s   (decoded/misread)\n' set 0° 90° 180° 270°
	for set in "$corpus"/qrcode-*; do
		line=$(printf '%-9s' "$(basename "$set")")
		for rot in 0 90 180 270; do
			pass=0 misread=0
			for img in "$set"/*.png; do
				convert "$img" -rotate "$rot" "$tmp/r.png"
				# --raw prints each symbol's text and a newline; the
				# expected .txt files have no trailing newline.
				zbarimg --raw -q "$tmp/r.png" >"$tmp/out" 2>/dev/null || true
				[ -s "$tmp/out" ] || continue
				cp "${img%.png}.txt" "$tmp/want"
				echo >>"$tmp/want"
				if cmp -s "$tmp/out" "$tmp/want"; then
					pass=$((pass + 1))
				else
					misread=$((misread + 1))
				fi
			done
			line="$line $(printf '%14s' "$pass/$misread")"
		done
		echo "$line"
	done
	exit 0
fi

if [ -z "${VMFA:-}" ]; then
	VMFA=$(mktemp -d)/vmfa
	CGO_ENABLED=0 go build -o "$(dirname "$VMFA")/" ./cmd/vmfa ./cmd/vmfa-full # as README installs them
fi

for f in screenshot-1x.png screenshot-2x.png desktop-5k.png; do
	file=$testdata/$f
	# Both must decode the file, or the timing means nothing.
	"$VMFA" scan "$file" >/dev/null
	zbarimg --raw -q "$file" >/dev/null 2>&1
	json=$(mktemp)
	hyperfine --style basic -N --warmup 3 --runs 20 --export-json "$json" \
		-n vmfa "$VMFA scan $file" \
		-n zbarimg "zbarimg --raw -q $file" >/dev/null 2>&1
	jq -r --arg f "$f" '
		(.results[0].mean * 1000) as $v | (.results[1].mean * 1000) as $z |
		((.results[0].user + .results[0].system) / (.results[1].user + .results[1].system)) as $cpu |
		"\($f): vmfa \($v * 10 | round / 10) ms, zbarimg \($z * 10 | round / 10) ms, ratio \($v / $z * 100 | round / 100) (CPU time \($cpu * 100 | round / 100))"
	' "$json"
	rm -f "$json"
done

# The degraded set: one process per image, as a user would run them. Each
# image is timed with both decoders in turn before the next, so that a change
# in the machine's load weighs on both alike; the sums are compared. Misses
# and errors are part of the time, not of the result (TestDegraded checks
# what is read).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for f in $testdata/degraded/*.png $testdata/degraded/*.jpg; do
	n=$((n + 1))
	hyperfine --style none -N -i --warmup 1 --runs "${SET_RUNS:-3}" --export-json "$tmp/$n.json" \
		-n vmfa "$VMFA scan $f" \
		-n zbarimg "zbarimg --raw -q $f" >/dev/null 2>&1
done
jq -rs --arg n "$n" '
	(map(.results[0].mean) | add * 1000) as $v | (map(.results[1].mean) | add * 1000) as $z |
	(map(.results[0].user + .results[0].system) | add) as $vc | (map(.results[1].user + .results[1].system) | add) as $zc |
	"degraded set (\($n) images, one process each): vmfa \($v | round) ms, zbarimg \($z | round) ms, ratio \($v / $z * 100 | round / 100) (CPU time \($vc / $zc * 100 | round / 100))"
' "$tmp"/*.json
