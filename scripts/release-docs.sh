#!/usr/bin/env bash
# release-docs.sh OUT VERSION: the manual pages and completion scripts a
# release ships, made by vmfa-full from its own command tree ('vmfa-full
# __docs', in a build with -tags gendocs; internal/gendocs), as
# scripts/release.sh uses them:
#   OUT/man/man1/*.1, OUT/man-gz/man1/*.1.gz (for packages),
#   OUT/completions/{bash/vmfa,zsh/_vmfa,fish/vmfa.fish}
# The pages name VERSION (v1.2.0) and are dated SOURCE_DATE_EPOCH, else the
# date of HEAD's commit: the same commit gives the same bytes.
set -euo pipefail
[ $# -eq 2 ] || {
	echo "usage: scripts/release-docs.sh OUT VERSION" >&2
	exit 2
}
out=$1 version=$2
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
rm -rf "$out"
GOFLAGS=-buildvcs=false CGO_ENABLED=0 go run -tags gendocs -trimpath -ldflags "-X github.com/vmfa/vmfa/internal/version.version=$version" ./cmd/vmfa-full __docs "$out"
mkdir -p "$out/man-gz/man1"
for page in "$out"/man/man1/*.1; do
	gzip -9nc "$page" >"$out/man-gz/man1/${page##*/}.gz"
done
