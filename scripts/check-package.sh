#!/usr/bin/env bash
# check-package.sh: CI's check of a release as users get it. It makes a
# snapshot release (scripts/release.sh) for linux/amd64 and one target of
# each other system, and checks the checksums, every archive's contents and
# programs, the Homebrew formula (scripts/check-formula.rb), and the .rpm
# against the .deb (then installs, verifies and erases it with rpm in a
# root of its own). In the linux archive and wherever the .rpm, the .deb
# and the formula install README.md and docs/, every link between them
# resolves (internal/doclinks). It installs the .deb with dpkg -i, and from the
# installed files alone runs 'vmfa --version', 'man vmfa', a bash
# completion, and 'vmfa code' through the agent that the installed systemd
# user unit starts; then removes the package, so that no installed vmfa is
# left on PATH for anything after it. Needs root, dpkg, rpm, ruby, unzip,
# man-db, bash-completion, oathtool, jq and the tools of scripts/release.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
die() {
	echo "check-package: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "run as root: it installs the .deb with dpkg -i"
for c in dpkg man oathtool jq rpm ruby unzip; do
	command -v "$c" >/dev/null || die "$c is not installed"
done
[ -f /usr/share/bash-completion/bash_completion ] || die "bash-completion is not installed"
! dpkg -s vmfa >/dev/null 2>&1 || die "a vmfa package is installed already: dpkg -r vmfa first"

tmp=$(mktemp -d)
agent=
cleanup() {
	[ -z "$agent" ] || kill "$agent" 2>/dev/null || true
	dpkg -r vmfa >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The release: linux/amd64, installed below, and one target of each other
# system, checked by their contents (and, as a side effect, CI's proof that
# vmfa builds there). Each target costs a build of both programs.
out=$tmp/dist
targets=(linux/amd64 linux/arm64 darwin/arm64 windows/amd64 freebsd/amd64)
scripts/release.sh "$out" "${targets[@]}" >"$tmp/release.log" 2>&1 || {
	cat "$tmp/release.log" >&2
	die "scripts/release.sh failed"
}
built=$(date +%s)
(cd "$out" && sha256sum --quiet -c checksums.txt) || die "checksums.txt does not match the files"
diff <(cd "$out" && ls | grep -vx 'checksums.txt\|vmfa.rb') <(awk '{ print $2 }' "$out/checksums.txt" | LC_ALL=C sort) ||
	die "checksums.txt does not list the release's files (above)"
archive=$(cd "$out" && ls vmfa_*_linux_amd64.tar.gz)
name=${archive%.tar.gz}
version=${name#vmfa_}
version=${version%_linux_amd64}
deb=$(cd "$out" && ls vmfa_*_amd64.deb)
rpm=$(cd "$out" && ls vmfa-*.x86_64.rpm)

# The linux archive: both programs, the pages of every command, the three
# shells' completions, README, the docs/ pages, LICENSE, and nothing else.
listing() { # listing ARCHIVE: "mode owner path" of each entry, sorted
	tar --numeric-owner -tvzf "$1" | awk '{ print $1, $2, $6 }' | sed 's,/$,,' | LC_ALL=C sort
}
listing "$out/$archive" >"$tmp/archive.txt"
for f in vmfa vmfa-full README.md LICENSE man/man1/vmfa.1 man/man1/vmfa-code.1 man/man1/vmfa-aws-credentials.1 \
	man/man1/vmfa-agent.1 completions/bash/vmfa completions/zsh/_vmfa completions/fish/vmfa.fish; do
	grep -q " $name/$f\$" "$tmp/archive.txt" || die "$archive has no $name/$f; it has:
$(cat "$tmp/archive.txt")"
done
grep -v -e "^drwxr-xr-x 0/0 $name\(/docs\|/man\(/man1\)\?\|/completions\(/bash\|/zsh\|/fish\)\?\)\?\$" \
	-e "^-rwxr-xr-x 0/0 $name/\(vmfa\|vmfa-full\)\$" -e "^-rw-r--r-- 0/0 $name/\(README.md\|LICENSE\|man/man1/vmfa\(-[a-z-]*\)\?\.1\)\$" \
	-e "^-rw-r--r-- 0/0 $name/completions/\(bash/vmfa\|zsh/_vmfa\|fish/vmfa.fish\)\$" \
	-e "^-rw-r--r-- 0/0 $name/docs/[a-z0-9-]*\.\(md\|png\)\$" \
	"$tmp/archive.txt" >"$tmp/extra.txt" && die "$archive holds files it should not, or with the wrong mode or owner: $(cat "$tmp/extra.txt")"
diff <(cd docs && LC_ALL=C ls -- *.md *.png | sed "s,^,$name/docs/,") <(awk '/ [^ ]*\/docs\// { print $3 }' "$tmp/archive.txt") ||
	die "$archive does not hold docs/*.md and docs/*.png (above: < the repository's, > the archive's)"

# Every archive holds what the linux one does (a zip: by name; .exe
# programs), its programs built for its system, static and -trimpath.
for target in "${targets[@]}"; do
	goos=${target%/*} goarch=${target#*/}
	tname=vmfa_${version}_${goos}_${goarch}
	if [ "$goos" = windows ]; then
		tarchive=$tname.zip exe=.exe
		unzip -Z1 "$out/$tarchive" | sed 's,/$,,' | LC_ALL=C sort >"$tmp/list.txt"
		unzip -q -d "$tmp" "$out/$tarchive"
		# (zip -D: no entries of directories)
		expected() { awk '!/^d/ { print $3 }' "$tmp/archive.txt" | sed 's,^[^/]*/vmfa\(-full\)\?$,&.exe,'; }
	else
		tarchive=$tname.tar.gz exe=
		listing "$out/$tarchive" >"$tmp/list.txt"
		tar -C "$tmp" -xzf "$out/$tarchive"
		expected() { cat "$tmp/archive.txt"; }
	fi
	diff <(expected | sed "s,$name,$tname," | LC_ALL=C sort) "$tmp/list.txt" ||
		die "$tarchive does not hold what $archive does (above)"
	for p in vmfa vmfa-full; do
		go version -m "$tmp/$tname/$p$exe" >"$tmp/buildinfo.txt"
		for want in CGO_ENABLED=0 -trimpath=true GOOS=$goos GOARCH=$goarch; do
			grep -qF -- "$want" "$tmp/buildinfo.txt" || die "$p$exe in $tarchive was not built with $want:
$(cat "$tmp/buildinfo.txt")"
		done
	done
done
"$tmp/$name/vmfa-full" --version | grep -q "^vmfa-full v$version (commit " ||
	die "vmfa-full in $archive says $("$tmp/$name/vmfa-full" --version); want v$version"

# README.md and docs/ as installed: every relative link and #anchor
# resolves in that tree (internal/doclinks's TestRepositoryLinks, on it).
go test -c -o "$tmp/doclinks.test" ./internal/doclinks || die "go test -c ./internal/doclinks failed"
doclinks() { # doclinks DIR WHAT
	"$tmp/doclinks.test" -test.run '^TestRepositoryLinks$' -root "$1" >"$tmp/doclinks.txt" 2>&1 ||
		die "links of README.md and docs/ in $2 do not resolve:
$(cat "$tmp/doclinks.txt")"
}
doclinks "$tmp/$name" "$archive"

# The Homebrew formula: Ruby, and what Homebrew would fetch, check and
# install from it (scripts/check-formula.rb).
ruby -c "$out/vmfa.rb" >/dev/null || die "$out/vmfa.rb is not valid Ruby"
ruby scripts/check-formula.rb "$out" "$tmp/doclinks.test" || die "the Homebrew formula does not fit the archives"

# The .rpm installs the files of the .deb, with their modes and owners (but
# the zsh directory and the licence, where Fedora and Debian differ); and
# neither package runs a script as root on install.
dpkg-deb -c "$out/$deb" | awk '!/^d/ { print $1, $2, substr($6, 2) }' |
	sed 's,/usr/share/zsh/vendor-completions/,/usr/share/zsh/site-functions/,; s,/usr/share/doc/vmfa/copyright$,/usr/share/licenses/vmfa/LICENSE,' |
	LC_ALL=C sort >"$tmp/deb.txt"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES}\n]' "$out/$rpm" | grep -v '^d' | LC_ALL=C sort >"$tmp/rpm.txt"
diff "$tmp/deb.txt" "$tmp/rpm.txt" || die "$rpm and $deb install different files (above: < the .deb, > the .rpm)"
[ -z "$(rpm -qp --scripts "$out/$rpm")" ] || die "$rpm has scriptlets: $(rpm -qp --scripts "$out/$rpm")"
[ -z "$(dpkg-deb --ctrl-tarfile "$out/$deb" | tar -t | grep -vx './\|./control\|./md5sums')" ] ||
	die "$deb has maintainer scripts: $(dpkg-deb --ctrl-tarfile "$out/$deb" | tar -t)"
rpm -K --nosignature "$out/$rpm" >/dev/null || die "$rpm: its digests do not match"
[ "$(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm %{OS} %{LICENSE}' "$out/$rpm")" = "$rpm linux Apache-2.0" ] ||
	die "$rpm says it is $(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH} %{OS} %{LICENSE}' "$out/$rpm")"
# The arm64 packages: the same files, for arm64.
deb_arm=$(cd "$out" && ls vmfa_*_arm64.deb)
rpm_arm=$(cd "$out" && ls vmfa-*.aarch64.rpm)
[ "$(dpkg-deb -f "$out/$deb_arm" Architecture)" = arm64 ] || die "$deb_arm is for $(dpkg-deb -f "$out/$deb_arm" Architecture)"
[ "$(rpm -qp --qf '%{ARCH}' "$out/$rpm_arm")" = aarch64 ] || die "$rpm_arm is for $(rpm -qp --qf '%{ARCH}' "$out/$rpm_arm")"
diff <(dpkg-deb -c "$out/$deb" | awk '{ print $1, $2, $6 }') <(dpkg-deb -c "$out/$deb_arm" | awk '{ print $1, $2, $6 }') ||
	die "$deb and $deb_arm hold different files (above)"
diff <(rpm -qlp "$out/$rpm") <(rpm -qlp "$out/$rpm_arm") || die "$rpm and $rpm_arm hold different files (above)"
# Installed by rpm in a root of its own, run from there, verified, erased.
root=$tmp/rpm-root
rpm --root "$root" --dbpath /rpmdb --nodeps -i "$out/$rpm" 2>"$tmp/rpm.log" || die "rpm -i $rpm failed: $(cat "$tmp/rpm.log")"
"$root/usr/bin/vmfa" --version >"$tmp/version.txt" && grep -q "^vmfa-full v$version (commit " "$tmp/version.txt" ||
	die "vmfa --version from the .rpm printed $(cat "$tmp/version.txt")"
rpm --root "$root" --dbpath /rpmdb -V vmfa || die "rpm -V vmfa: the installed files are not the .rpm's (above)"
doclinks "$root/usr/share/doc/vmfa" "$rpm, installed"
rpm --root "$root" --dbpath /rpmdb -e vmfa 2>"$tmp/rpm.log" || die "rpm -e vmfa failed: $(cat "$tmp/rpm.log")"
left=$(cd "$root" && find . -path ./rpmdb -prune -o -name '*vmfa*' -print)
[ -z "$left" ] || die "rpm -e vmfa left $left"

# Installed. A system that leaves out manual pages and docs (a container's
# dpkg path-exclude) would make 'man vmfa' and the links fail for a reason
# not vmfa's.
dpkg -i --path-include='/usr/share/man/man1/vmfa*' --path-include='/usr/share/doc/vmfa/*' "$out/$deb" >/dev/null ||
	die "dpkg -i $deb failed"
dpkg -L vmfa >"$tmp/installed.txt"
for f in /usr/bin/vmfa /usr/bin/vmfa-full /usr/share/man/man1/vmfa.1.gz /usr/share/man/man1/vmfa-aws-exec.1.gz \
	/usr/share/bash-completion/completions/vmfa /usr/share/zsh/vendor-completions/_vmfa \
	/usr/share/fish/vendor_completions.d/vmfa.fish /usr/lib/systemd/user/vmfa-agent.service \
	/usr/share/doc/vmfa/copyright /usr/share/doc/vmfa/README.md; do
	grep -qx "$f" "$tmp/installed.txt" || die "the .deb installed no $f"
done
doclinks /usr/share/doc/vmfa "$deb, installed"

# From here on, only the installed files: a clean environment, PATH without
# the build's directories.
home=$tmp/home
mkdir -p -m 0700 "$home" "$home/run"
clean_env=(HOME="$home" XDG_RUNTIME_DIR="$home/run" VMFA_DIR="$home/vault" PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8)
run() { env -i "${clean_env[@]}" "$@"; }
[ "$(run sh -c "command -v vmfa")" = /usr/bin/vmfa ] || die "vmfa is not on PATH as /usr/bin/vmfa"

commit=$(git rev-parse HEAD)
run vmfa --version >"$tmp/version.txt" || die "vmfa --version failed"
grep -qx "vmfa v$version (commit $commit, [0-9TZ:-]*, go[0-9.]* linux/amd64)" "$tmp/version.txt" &&
	grep -qx "vmfa-full v$version (commit $commit, [0-9TZ:-]*, go[0-9.]* linux/amd64)" "$tmp/version.txt" ||
	die "vmfa --version printed $(cat "$tmp/version.txt"); want v$version, commit $commit, for vmfa and vmfa-full"

[ "$(run man -w vmfa)" = /usr/share/man/man1/vmfa.1.gz ] || die "man -w vmfa: $(run man -w vmfa 2>&1)"
run env MANPAGER=cat MANWIDTH=200 man vmfa >"$tmp/man.txt" 2>&1 || die "man vmfa failed: $(cat "$tmp/man.txt")"
for s in NAME SYNOPSIS FILES ENVIRONMENT "EXIT STATUS" SECURITY VMFA_PASSPHRASE_COMMAND; do
	grep -q "$s" "$tmp/man.txt" || die "man vmfa has no $s"
done
run env MANPAGER=cat man vmfa-aws-credentials | grep -q -- '--profile' || die "man vmfa-aws-credentials does not document --profile"

# A vault, and the agent as the installed systemd user unit runs it (no
# systemd here: its ExecStart, as systemd would start it).
secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
pw="VMFA_PASSPHRASE=correct horse"
run env "$pw" vmfa init --work-factor 10 >/dev/null 2>&1 || die "vmfa init failed"
echo "otpauth://totp/GitHub:alice?secret=$secret&issuer=GitHub" | run env "$pw" vmfa add --uri >/dev/null || die "vmfa add failed"
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/user/vmfa-agent.service)
[ "$exec_start" = "/usr/bin/vmfa agent" ] || die "the unit's ExecStart is $exec_start"
# (env execs vmfa, which execs vmfa-full: one pid, as under systemd.)
env -i "${clean_env[@]}" $exec_start 2>"$tmp/agent.log" &
agent=$!
for _ in $(seq 50); do
	[ "$(run vmfa status --json 2>/dev/null | jq .agent_pid)" = "$agent" ] && break
	sleep 0.1
done
[ "$(run vmfa status --json | jq .agent_pid)" = "$agent" ] || die "the unit's agent (pid $agent) does not answer: $(cat "$tmp/agent.log")"
run env "$pw" vmfa unlock >/dev/null 2>&1 || die "vmfa unlock failed"
[ "$(run vmfa status --json | jq .locked)" = false ] || die "the agent is still locked after vmfa unlock"

# No passphrase now, no terminal: only the agent can give the code.
before=$(oathtool --totp -b "$secret")
code=$(run vmfa code github </dev/null) || die "vmfa code through the agent failed"
after=$(oathtool --totp -b "$secret")
[ "$code" = "$before" ] || [ "$code" = "$after" ] || die "vmfa code printed $code; oathtool says $before"

# Bash completion, loaded as bash-completion loads it for the command vmfa:
# commands, and the vault's accounts from the unlocked agent.
complete_vmfa() {
	run bash -c 'source /usr/share/bash-completion/bash_completion
		__load_completion vmfa || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		$(complete -p vmfa | sed "s/.*-F \([^ ]*\) .*/\1/") vmfa "${@: -1}" "${@: -2:1}"
		printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}
complete_vmfa vmfa co >"$tmp/complete.txt" 2>&1 || die "bash completion failed: $(cat "$tmp/complete.txt")"
grep -qx "code" "$tmp/complete.txt" || die "'vmfa co<TAB>' completes to $(cat "$tmp/complete.txt"); want code"
complete_vmfa vmfa code Git >"$tmp/complete.txt" 2>&1 || die "bash completion failed: $(cat "$tmp/complete.txt")"
grep -q "GitHub:alice" "$tmp/complete.txt" || die "'vmfa code Git<TAB>' completes to $(cat "$tmp/complete.txt"); want GitHub:alice"

run vmfa lock >/dev/null 2>&1
kill "$agent"
wait "$agent" 2>/dev/null || true
agent=
dpkg -r vmfa >/dev/null || die "dpkg -r vmfa failed"
[ ! -e /usr/bin/vmfa ] || die "dpkg -r vmfa left /usr/bin/vmfa"
end=$(date +%s)
echo "check-package: ok: v$version, ${#targets[@]} targets, $(ls "$out" | wc -l) files; release $((built - start)) s, checks $((end - built)) s"
