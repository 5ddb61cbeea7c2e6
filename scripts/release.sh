#!/usr/bin/env bash
# release.sh OUT [GOOS/GOARCH...]: vmfa's release of the checked-out commit.
# This script is the release: a tagged release publishes what it writes,
# and CI checks a snapshot of it (scripts/check-package.sh).
#
# It writes in OUT, for each target (default: linux, darwin, windows and
# freebsd on amd64 and arm64):
#   vmfa_VERSION_OS_ARCH.tar.gz (.zip for windows): vmfa_VERSION_OS_ARCH/ with
#     vmfa, vmfa-full, README.md, docs/*.{md,png}, LICENSE, man/man1/*.1 and
#     completions/{bash/vmfa,zsh/_vmfa,fish/vmfa.fish}
#   for linux: vmfa_VERSION_ARCH.deb and vmfa-VERSION-1.ARCH.rpm
#     (packaging/nfpm.yaml)
# README.md and docs/ go together, so that README's links to docs/ resolve;
# their links to the rest of the source (../internal/intake) become links
# to it on GitHub at the commit, since a release holds none of it.
# then checksums.txt (sha256sum's format) of them all, and vmfa.rb, the
# Homebrew formula of the darwin and linux archives (packaging/vmfa.rb.in),
# for the tap. The formula's URLs are RELEASE_URL/ARCHIVE, RELEASE_URL
# being by default the GitHub release of the tag vVERSION.
#
# To publish vX.Y.Z: tag it, run this in a clean clone at the tag, upload
# OUT's files but vmfa.rb to the GitHub release vX.Y.Z, and commit vmfa.rb
# as Formula/vmfa.rb in github.com/vmfa/homebrew-tap.
#
# VERSION is the tag at HEAD (v1.2.0 → 1.2.0), else the last tag's with
# -SNAPSHOT-COMMIT (0.0.0 with no tag). The programs are static
# (CGO_ENABLED=0), -trimpath, stamped with the version, the commit and its
# date (internal/version); every file's time is the commit's
# (SOURCE_DATE_EPOCH), so the same commit gives the same bytes.
#
# Needs go, git, tar and gzip (GNU), and zip for windows targets. nfpm is
# the version pinned in scripts/release/go.mod (a module of its own, so that
# vmfa's go.mod holds none of its dependencies), built here.
set -euo pipefail
die() {
	echo "release: $*" >&2
	exit 1
}
[ $# -ge 1 ] || die "usage: scripts/release.sh OUT [GOOS/GOARCH...]"
out=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64 freebsd/amd64 freebsd/arm64)

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"

commit=$(git rev-parse HEAD)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
date=$(TZ=UTC date -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
if tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null); then
	version=${tag#v}
else
	last=$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD 2>/dev/null || echo v0.0.0)
	version=${last#v}-SNAPSHOT-${commit:0:12}
fi
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	echo "release: note: the work tree has changes; the build is of them, stamped with commit $commit" >&2

pkg=github.com/vmfa/vmfa/internal/version
ldflags="-s -w -X $pkg.version=v$version -X $pkg.commit=$commit -X $pkg.date=$date"
build() { # build GOOS GOARCH DIR
	CGO_ENABLED=0 GOOS=$1 GOARCH=$2 GOFLAGS=-buildvcs=false go build -trimpath -ldflags "$ldflags" -o "$3/" ./cmd/vmfa ./cmd/vmfa-full
}

work=$out/.work
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

if printf '%s\n' "${targets[@]}" | grep -q '^linux/'; then
	(cd scripts/release && go build -o "$work/nfpm" github.com/goreleaser/nfpm/v2/cmd/nfpm)
fi

# The manual pages and completion scripts: the same on every system.
docs=$work/docs
scripts/release-docs.sh "$docs" "v$version"

# README.md and docs/, as every archive and package holds them: README's
# relative links but to docs/, and docs' links up (../) but to README.md
# and docs/, point at the source on GitHub.
pages=$work/pages
source_url=https://github.com/vmfa/vmfa/blob/$commit
mkdir -p "$pages/docs"
cp README.md "$pages/"
cp docs/*.md docs/*.png "$pages/docs/"
sed -E -i -e "s,\]\(([^)#:/ ][^):]*)\),](${source_url}/\1),g" -e "s,\]\(${source_url}/docs/,](docs/,g" "$pages/README.md"
sed -E -i -e "s,\]\(\.\./,](${source_url}/,g" -e "s,\]\(${source_url}/(README\.md|docs/),](../\1,g" "$pages"/docs/*.md

# stamp sets every file's time under $1 to the commit's.
stamp() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

artifacts=()
for target in "${targets[@]}"; do
	goos=${target%/*} goarch=${target#*/}
	name=vmfa_${version}_${goos}_${goarch}
	dir=$work/$name
	build "$goos" "$goarch" "$dir"
	cp LICENSE "$dir/"
	cp -r "$pages/README.md" "$pages/docs" "$docs/man" "$docs/completions" "$dir/"
	find "$dir" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
	chmod 0755 "$dir"/vmfa* && chmod 0644 "$dir/man/man1/"*
	stamp "$dir"
	if [ "$goos" = windows ]; then
		command -v zip >/dev/null || die "zip is not installed: it makes the windows archives"
		rm -f "$out/$name.zip"
		(cd "$work" && find "$name" | LC_ALL=C sort | TZ=UTC zip -q -X -D -@ "$out/$name.zip")
		artifacts+=("$name.zip")
	else
		tar -C "$work" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
			--format=gnu -cf - "$name" | gzip -9n >"$out/$name.tar.gz"
		artifacts+=("$name.tar.gz")
	fi
	if [ "$goos" = linux ]; then
		for packager in deb rpm; do
			rm -rf "$work/pkg" && mkdir "$work/pkg"
			NFPM_ARCH=$goarch NFPM_VERSION=$version BUILD_DIR=$dir DOCS_DIR=$docs \
				"$work/nfpm" package --config packaging/nfpm.yaml --packager "$packager" --target "$work/pkg/" >/dev/null
			file=$(cd "$work/pkg" && ls)
			[ -f "$work/pkg/$file" ] || die "nfpm made no $packager for $target"
			mv "$work/pkg/$file" "$out/"
			artifacts+=("$file")
		done
	fi
done

(cd "$out" && sha256sum "${artifacts[@]}" >checksums.txt)
artifacts+=(checksums.txt)

# The Homebrew formula: packaging/vmfa.rb.in (less its leading comment)
# with the URL and sha256 of each darwin and linux archive built.
release_url=${RELEASE_URL:-https://github.com/vmfa/vmfa/releases/download/v$version}
urls=
for os in macos:darwin linux:linux; do
	block=
	for arch in arm:arm64 intel:amd64; do
		archive=vmfa_${version}_${os#*:}_${arch#*:}.tar.gz
		[ -f "$out/$archive" ] || continue
		sum=$(awk -v f="$archive" '$2 == f { print $1 }' "$out/checksums.txt")
		block+=$(printf '\n    on_%s do\n      url "%s"\n      sha256 "%s"\n    end' "${arch%:*}" "$release_url/$archive" "$sum")
	done
	[ -z "$block" ] || urls+=$(printf '%s  on_%s do%s\n  end' "${urls:+$'\n\n'}" "${os%:*}" "$block")
done
rm -f "$out/vmfa.rb"
if [ -n "$urls" ]; then
	{
		echo "# vmfa v$version's Homebrew formula, made by scripts/release.sh from packaging/vmfa.rb.in."
		sed '1,/^class /{/^#/d}' packaging/vmfa.rb.in |
			URLS=$urls VERSION=$version awk '$0 == "@URLS@" { print ENVIRON["URLS"]; next } { gsub(/@VERSION@/, ENVIRON["VERSION"]); print }'
	} >"$out/vmfa.rb"
	artifacts+=(vmfa.rb)
fi

echo "release: v$version ($commit, $date) in $out:"
printf '  %s\n' "${artifacts[@]}"
