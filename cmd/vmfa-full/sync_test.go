package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/agekey"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

// machine is a computer of the sync tests: a HOME and vault directory of
// its own, no git identity configured, no agent.
type machine struct {
	t   *testing.T
	dir string
	env []string
}

func newMachine(t *testing.T, env ...string) *machine {
	return &machine{t: t, dir: t.TempDir(), env: append([]string{pw, "VMFA_AGENT=off"}, env...)}
}

func (m *machine) run(stdin string, args ...string) result {
	m.t.Helper()
	return vmfa(m.t, m.dir, stdin, m.env, args...)
}

func (m *machine) vault() string { return filepath.Join(m.dir, "vault") }

// accounts lists the machine's accounts, one "issuer\tname" a line, in
// the order 'vmfa list' prints them. The test reads them through the
// vault package, with the machine's passphrase or key, not with a vmfa
// process: what the sync tests check is what the vault holds, not list.
func (m *machine) accounts() string {
	m.t.Helper()
	s := vault.Open(m.vault())
	var v *vault.Vault
	var err error
	if key := m.getenv("VMFA_IDENTITY"); key != "" {
		var ids []age.Identity
		if ids, err = agekey.ReadIdentities(key, nil); err == nil {
			v, err = s.UnlockWithIdentities(ids...)
		}
	} else {
		v, err = s.Unlock(m.getenv("VMFA_PASSPHRASE"))
	}
	var d *vault.Data
	if err == nil {
		d, err = v.Load()
	}
	if err != nil {
		m.t.Fatalf("the vault of %s: %v", m.dir, err)
	}
	var lines []string
	for _, e := range d.Accounts {
		lines = append(lines, e.Issuer+"\t"+e.Name)
	}
	return strings.Join(lines, "\n")
}

// getenv is the value of key in the machine's environment, as its vmfa
// processes see it (the last one wins).
func (m *machine) getenv(key string) string {
	for _, kv := range slices.Backward(m.env) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// publish makes a machine with the two accounts, and the remote of srv
// named name it published them to.
func publish(t *testing.T, srv *testenv.GitServer, name string) (*machine, string) {
	t.Helper()
	url := srv.Repo(t, name)
	a := newMachine(t)
	expect(t, a.run(githubURI+"\n"+awsURI+"\n", "add", "--uri"), 0, "Added", "")
	// Publishing an authenticated vault needs no key: no passphrase here.
	expect(t, vmfa(t, a.dir, "", []string{"VMFA_AGENT=off"}, "sync", "init", url), 0, "published\n", "")
	return a, url
}

func repoName(t *testing.T) string {
	return strings.NewReplacer("/", "-", ",", "-", "=", "-").Replace(t.Name())
}

// publishedOnce is what published and joined copy: a machine that
// published the vault, its remote, and a machine that joined it; made once
// for the tests whose subject they are not.
var publishedOnce struct {
	sync.Once
	machine, joined *machine // their t is the first test's: for copyMachine only
	gitDir          string   // the remote, a bare repository
}

// published makes a machine with the two accounts and a remote of srv it
// published them to: a copy of both, as publish left them.
func published(t *testing.T, srv *testenv.GitServer) (*machine, string) {
	t.Helper()
	publishedOnce.Do(func() {
		// In the directory of the built programs, which outlives every
		// test and goes with them (TestMain).
		dir, err := os.MkdirTemp(filepath.Dir(vmfaBin), "published")
		if err != nil {
			t.Fatal(err)
		}
		a, url := publish(t, srv, "published")
		b := newMachine(t)
		expect(t, b.run("", "sync", "init", url), 0, "", "Joined")
		gitDir := filepath.Join(dir, "remote.git")
		testenv.CopyDir(t, srv.GitDir(url), gitDir)
		publishedOnce.machine = copyMachine(t, a, filepath.Join(dir, "machine"), url)
		publishedOnce.joined = copyMachine(t, b, filepath.Join(dir, "joined"), url)
		publishedOnce.gitDir = gitDir
	})
	if publishedOnce.gitDir == "" {
		t.Fatal("publishing the vault that the sync tests copy failed (see the first test that asked)")
	}
	url := srv.CopyRepo(t, publishedOnce.gitDir, repoName(t))
	return copyMachine(t, publishedOnce.machine, filepath.Join(t.TempDir(), "home"), url), url
}

// joined makes a machine that joined url, a remote published made that
// nothing was pushed to since, with the passphrase: a copy of the one
// that joined it once.
func joined(t *testing.T, url string) *machine {
	t.Helper()
	return copyMachine(t, publishedOnce.joined, filepath.Join(t.TempDir(), "home"), url)
}

// TestSyncPublishJoin: a vault published from one machine is joined by a
// second with the passphrase and a third with a recipient's key, over git's
// HTTP transport; nothing the host holds names an account, and what never
// travels does not.
func TestSyncPublishJoin(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitServer(t)
	a, url := publish(t, srv, repoName(t))
	expect(t, a.run("", "sync"), 0, "up to date\n", "")

	b := newMachine(t)
	expect(t, b.run("", "sync", "init", url), 0, "", "Joined")
	if got, want := b.accounts(), a.accounts(); got != want {
		t.Fatalf("joined machine lists %q, want %q", got, want)
	}
	expect(t, b.run("", "sync"), 0, "up to date\n", "")

	// A teammate: a key added as a recipient, synced, and joined with.
	key := filepath.Join(t.TempDir(), "key.txt")
	if out, err := exec.Command(testenv.Tool(t, "age-keygen"), "-o", key).CombinedOutput(); err != nil {
		t.Fatalf("age-keygen: %v %s", err, out)
	}
	pub, _ := exec.Command("age-keygen", "-y", key).Output()
	expect(t, a.run("", "recipients", "add", "teammate", strings.TrimSpace(string(pub))), 0, "", "Added teammate")
	expect(t, a.run("", "sync"), 0, "0 changes in, 1 out\n", "")
	c := &machine{t: t, dir: t.TempDir(), env: []string{"VMFA_AGENT=off"}}
	expect(t, c.run("", "--identity", key, "sync", "init", url), 0, "", "Joined")
	c.env = append(c.env, "VMFA_IDENTITY="+key)
	if got := c.accounts(); got != a.accounts() {
		t.Fatalf("teammate lists %q", got)
	}
	// The passphrase machine gets the recipient too.
	expect(t, b.run("", "sync"), 0, "1 change in, 0 out\n", "")
	expect(t, b.run("", "recipients", "list"), 0, "teammate", "")

	// Joining again, or joining a vault that exists, is refused.
	expect(t, c.run("", "--identity", key, "sync", "init", srv.Repo(t, "other")), 1, "", "already syncs with")

	checkRemote(t, srv, url)
}

// checkRemote checks everything a remote repository holds: only the
// vault's travelling files, no account named anywhere, vmfa as author.
func checkRemote(t *testing.T, srv *testenv.GitServer, url string) {
	t.Helper()
	gitDir := srv.GitDir(url)
	files, err := exec.Command("git", "--git-dir", gitDir, "log", "--all", "--name-only", "--format=%an <%ae> %cn <%ce> %s").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(files)), "\n") {
		switch {
		case line == "", line == "vault.age", line == "identity.age",
			line == "vmfa <vmfa@localhost> vmfa <vmfa@localhost> vmfa",
			strings.HasPrefix(line, "recipients/") && (strings.HasSuffix(line, ".age") || strings.HasSuffix(line, ".pub")):
		default:
			t.Errorf("the remote holds %q", line)
		}
	}
	refs, _ := exec.Command("git", "--git-dir", gitDir, "for-each-ref", "--format=%(refname)").Output()
	if strings.TrimSpace(string(refs)) != "refs/heads/vmfa" {
		t.Errorf("the remote's refs: %q", refs)
	}
	objects, err := exec.Command("git", "--git-dir", gitDir, "cat-file", "--batch-all-objects", "--batch").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"alice", "bob", "GitHub", "Amazon", awsSecret[:16], "GEZDGNBVGY3TQOJQ", "correct horse"} {
		if bytes.Contains(objects, []byte(s)) {
			t.Errorf("the remote's objects hold %q in clear", s)
		}
	}
}

// TestSyncRefusesOtherVault: a machine with a vault of its own does not mix
// it with the remote's, and is left as it was.
func TestSyncRefusesOtherVault(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitDaemon(t)
	_, url := published(t, srv)
	d := newMachine(t)
	expect(t, d.run(githubURI2+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, d.run("", "sync", "init", url), 1, "", "holds another vault than this one")
	if _, err := os.Stat(filepath.Join(d.vault(), "sync.git")); !os.IsNotExist(err) {
		t.Errorf("a refused init left sync.git: %v", err)
	}
	expect(t, d.run("", "sync"), 1, "", "does not sync yet: 'vmfa sync init URL'")
	if got := d.accounts(); got != "GitHub\tbob" {
		t.Errorf("after the refusal: %q", got)
	}
	// Joining an empty remote, or a repository that holds no vault.
	e := newMachine(t)
	expect(t, e.run("", "sync", "init", srv.Repo(t, "empty")), 1, "", "holds no vault yet: create one with 'vmfa init'")
	if _, err := os.Stat(e.vault()); !os.IsNotExist(err) {
		t.Errorf("a failed join left %s: %v", e.vault(), err)
	}
}

// TestSyncOffline: with the remote unreachable a change is committed here,
// the sync says it was not pushed and why in git's words, status counts it,
// and the next sync once the remote is back pushes it. A remote that
// answers nothing is given up on after --timeout.
func TestSyncOffline(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitServer(t)
	a, _ := published(t, srv)
	srv.Stop()
	expect(t, a.run(githubURI2+"\n", "add", "--uri"), 0, "Added", "")
	r := a.run("", "sync")
	expect(t, r, 1, "", "1 change is kept here, not pushed: git fetch: fatal: unable to access")
	if strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("not one line: %q", r.stderr)
	}
	st := syncStatus(t, a)
	if st.Waiting != 1 || !strings.Contains(st.Error, "unable to access") {
		t.Errorf("status offline: %+v", st)
	}
	srv.Start()
	expect(t, a.run("", "sync"), 0, "0 changes in, 1 out\n", "")
	if st := syncStatus(t, a); st.Waiting != 0 || st.Error != "" || st.LastExchange.IsZero() {
		t.Errorf("status back online: %+v", st)
	}

	srv.Hang(true)
	start := time.Now()
	expect(t, a.run("", "sync", "--timeout", "2s"), 1, "", "no answer within 2s")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a hung remote held the sync %v", took)
	}
	srv.Hang(false)
}

type syncStatusJSON struct {
	Remote       string    `json:"remote"`
	LastExchange time.Time `json:"last_exchange"`
	Error        string    `json:"error"`
	Waiting      int       `json:"waiting"`
}

func syncStatus(t *testing.T, m *machine) syncStatusJSON {
	t.Helper()
	r := m.run("", "sync", "status", "--json")
	var st syncStatusJSON
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
		t.Fatalf("sync status --json: %+v", r)
	}
	return st
}

// TestSyncNoGit: without the git program, one line says so.
func TestSyncNoGit(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	empty := t.TempDir()
	for _, args := range [][]string{{"sync"}, {"sync", "init", url + "x"}} {
		r := vmfa(t, a.dir, "", append(a.env, "PATH="+empty), args...)
		if r.code != 1 || r.stderr != "vmfa: git is not installed, and vmfa syncs through it: install git (apt install git, brew install git…)\n" {
			t.Errorf("%v without git: %+v", args, r)
		}
	}
	b := newMachine(t, "PATH="+empty)
	expect(t, b.run("", "sync", "init", url), 1, "", "git is not installed")
}

// TestSyncCommitsEveryChange: each change is committed locally at once, in
// the sync repository, with nothing but the travelling files; a code
// handed out commits nothing.
func TestSyncCommitsEveryChange(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	commits := func() int {
		out, err := exec.Command("git", "--git-dir", filepath.Join(a.vault(), "sync.git"), "rev-list", "--count", "vmfa").Output()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range strings.TrimSpace(string(out)) {
			n = n*10 + int(c-'0')
		}
		return n
	}
	n := commits()
	expect(t, a.run("", "code", "github"), 0, "", "")
	if commits() != n {
		t.Errorf("a code handed out made a commit")
	}
	expect(t, a.run("", "rename", "github", "GitHub:carol"), 0, "", "")
	expect(t, a.run("", "rm", "--yes", "amazon"), 0, "", "")
	if got := commits(); got != n+2 {
		t.Errorf("%d commits after two changes, want %d", got, n+2)
	}
	expect(t, a.run("", "sync"), 0, "0 changes in, 2 out\n", "")
	checkRemote(t, srv, url)
}

// TestSyncCLI: help, completion and JSON of the sync commands.
func TestSyncCLI(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, "", nil, "sync", "--help"), 0, "vmfa sync init", "")
	expect(t, vmfa(t, dir, "", nil, "sync", "init", "--help"), 0, "--identity KEY", "")
	expect(t, vmfa(t, dir, "", nil, "__complete", "sync", ""), 0, "init\t", "")
	expect(t, vmfa(t, dir, "", nil, "__complete", "sync", "--"), 0, "--json", "")
	expect(t, vmfa(t, dir, "", nil, "sync", "init"), 2, "", "accepts 1 arg")
	expect(t, vmfa(t, dir, "", nil, "sync", "status"), 0, "sync is not set up", "")
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	r := a.run("", "sync", "--json")
	var res struct {
		In, Out           int
		Merged, Published bool
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || res.In != 0 || res.Out != 0 {
		t.Errorf("sync --json: %+v", r)
	}
	if st := syncStatus(t, a); st.Remote != url || st.LastExchange.IsZero() {
		t.Errorf("sync status --json: %+v", st)
	}
	expect(t, a.run("", "sync", "status"), 0, "remote: "+url+"\nlast exchange: ", "")
}

const (
	carolURI = "otpauth://totp/Carol:carol?secret=MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK&issuer=Carol"
	daveURI  = "otpauth://totp/Dave:dave?secret=NBSWY3DPNBSWY3DPNBSWY3DPNBSWY3DP&issuer=Dave"
	erinURI  = "otpauth://totp/Erin:erin?secret=ONSWG4TFOQYTEMZUONSWG4TFOQYTEMZU&issuer=Erin"
)

// TestSyncThreeMachines: three machines change the vault apart, sync in
// turn, and end up with the same accounts, losing nothing; a round more
// moves nothing and makes no commit (no two machines trade the same
// content back and forth).
func TestSyncThreeMachines(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	b, c := joined(t, url), joined(t, url)
	expect(t, a.run(carolURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, b.run(daveURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, c.run(erinURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, c.run("", "rename", "amazon", "Amazon Web Services:root"), 0, "", "")
	expect(t, a.run("", "sync"), 0, "0 changes in, 1 out\n", "")
	expect(t, b.run("", "sync"), 0, "1 change in, 1 out (both sides had changed: merged)\n", "")
	expect(t, c.run("", "sync"), 0, "2 changes in, 2 out (both sides had changed: merged)\n", "")
	expect(t, a.run("", "sync"), 0, "3 changes in, 0 out\n", "")
	expect(t, b.run("", "sync"), 0, "2 changes in, 0 out\n", "")
	want := "Amazon Web Services\troot\nCarol\tcarol\nDave\tdave\nErin\terin\nGitHub\talice"
	for i, m := range []*machine{a, b, c} {
		if got := sortedLines(m.accounts()); got != want {
			t.Errorf("machine %d lists %q, want %q", i, got, want)
		}
	}
	head := remoteHead(t, srv, url)
	for _, m := range []*machine{a, b, c, a} {
		expect(t, m.run("", "sync"), 0, "up to date\n", "")
	}
	if remoteHead(t, srv, url) != head {
		t.Errorf("syncs with nothing to exchange moved the remote")
	}
	checkRemote(t, srv, url)
}

func sortedLines(s string) string {
	lines := strings.Split(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func remoteHead(t *testing.T, srv *testenv.GitServer, url string) string {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", srv.GitDir(url), "rev-parse", "refs/heads/vmfa").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestSyncPushRace: another machine pushes between a sync's fetch and its
// push; the sync fetches and merges again, and pushes the join.
func TestSyncPushRace(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	b := joined(t, url)
	expect(t, a.run(carolURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, b.run(daveURI+"\n", "add", "--uri"), 0, "Added", "")
	var bSync result
	srv.BeforePush(func() { bSync = vmfa(t, b.dir, "", b.env, "sync") })
	expect(t, a.run("", "sync"), 0, "1 change in, 1 out (both sides had changed: merged)\n", "")
	expect(t, bSync, 0, "0 changes in, 1 out\n", "")
	expect(t, b.run("", "sync"), 0, "1 change in, 0 out\n", "")
	if got := sortedLines(a.accounts()); got != sortedLines(b.accounts()) || !strings.Contains(got, "Carol") || !strings.Contains(got, "Dave") {
		t.Errorf("after the race: %q and %q", a.accounts(), b.accounts())
	}
}

// TestSyncHistoryRewrite: a remote whose history was rewritten, set back to
// its first commit or replaced by a history of its own holding an older
// vault, is merged, never reset to: nothing is lost, and the next push
// brings the remote back up to date.
func TestSyncHistoryRewrite(t *testing.T) {
	parallel(t)
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	b := joined(t, url)
	gitDir := srv.GitDir(url)
	host := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"--git-dir", gitDir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=host", "GIT_AUTHOR_EMAIL=host@example.com", "GIT_COMMITTER_NAME=host", "GIT_COMMITTER_EMAIL=host@example.com")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	first := host("rev-list", "--max-parents=0", "refs/heads/vmfa")
	expect(t, a.run(carolURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, a.run("", "sync"), 0, "0 changes in, 1 out\n", "")
	expect(t, b.run("", "sync"), 0, "1 change in, 0 out\n", "")

	// Set back to the first commit: the next sync pushes everything again.
	host("update-ref", "refs/heads/vmfa", first)
	expect(t, b.run(daveURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, b.run("", "sync"), 0, "0 changes in, ", "")
	// A history of the host's own: the first commit's tree, no parent.
	orphan := host("commit-tree", "-m", "rewritten", first+"^{tree}")
	host("update-ref", "refs/heads/vmfa", orphan)
	// What the host dropped comes back from the machines that had it.
	expect(t, a.run("", "sync"), 0, "0 changes in, ", "")
	expect(t, b.run("", "sync"), 0, "0 changes in, ", "")
	expect(t, a.run("", "sync"), 0, "1 change in, 0 out\n", "")
	want := "Amazon Web Services\talice@123456789012\nCarol\tcarol\nDave\tdave\nGitHub\talice"
	for i, m := range []*machine{a, b} {
		if got := sortedLines(m.accounts()); got != want {
			t.Errorf("machine %d lists %q, want %q", i, got, want)
		}
	}
	if !strings.Contains(host("rev-list", "refs/heads/vmfa"), orphan) {
		t.Errorf("the remote's rewritten history was not merged but replaced")
	}
}

// TestSyncForgedCommit: a commit the host makes itself, with a vault.age
// encrypted to the vault's public key and an account of its own, is
// refused with one line; the local vault and branch are unchanged.
func TestSyncForgedCommit(t *testing.T) {
	parallel(t)
	testenv.Tools(t, "age")
	srv := testenv.NewGitDaemon(t)
	a, url := published(t, srv)
	v, err := vault.Open(a.vault()).Unlock("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	// What the host forges: the vault as it is, decrypted by a test that
	// holds the key, with one account more, encrypted to the public key.
	idFile := filepath.Join(t.TempDir(), "id.txt")
	os.WriteFile(idFile, []byte(v.Identity().String()+"\n"), 0o600)
	plain, err := exec.Command("age", "-d", "-i", idFile, filepath.Join(a.vault(), "vault.age")).Output()
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(plain, &d); err != nil {
		t.Fatal(err)
	}
	accounts := d["accounts"].([]any)
	evil := maps.Clone(accounts[0].(map[string]any))
	evil["id"], evil["issuer"], evil["name"] = "ffffffffffffffff", "Evil", "mallory"
	d["accounts"] = append(accounts, evil)
	forgedPlain, _ := json.Marshal(d)
	enc := exec.Command("age", "-r", v.Recipient())
	enc.Stdin = bytes.NewReader(forgedPlain)
	forged, err := enc.Output()
	if err != nil {
		t.Fatal(err)
	}
	gitDir := srv.GitDir(url)
	host := func(stdin []byte, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"--git-dir", gitDir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=vmfa", "GIT_AUTHOR_EMAIL=vmfa@localhost", "GIT_COMMITTER_NAME=vmfa", "GIT_COMMITTER_EMAIL=vmfa@localhost")
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	blob := host(forged, "hash-object", "-w", "--stdin")
	var tree []string
	for _, line := range strings.Split(host(nil, "ls-tree", "refs/heads/vmfa"), "\n") {
		if strings.HasSuffix(line, "\tvault.age") {
			line = "100644 blob " + blob + "\tvault.age"
		}
		tree = append(tree, line)
	}
	treeID := host([]byte(strings.Join(tree, "\n")+"\n"), "mktree")
	commit := host(nil, "commit-tree", "-m", "vmfa", "-p", "refs/heads/vmfa", treeID)
	host(nil, "update-ref", "refs/heads/vmfa", commit)

	before := a.accounts()
	localHead := func() string {
		out, _ := exec.Command("git", "--git-dir", filepath.Join(a.vault(), "sync.git"), "rev-parse", "refs/heads/vmfa").Output()
		return string(out)
	}
	head := localHead()
	r := a.run("", "sync")
	expect(t, r, 1, "", "not authenticated")
	if strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("not one line: %q", r.stderr)
	}
	if a.accounts() != before || localHead() != head {
		t.Errorf("a forged commit changed the vault or the branch: %q", a.accounts())
	}
	// A machine joining now is refused too, and nothing is written.
	c := newMachine(t)
	expect(t, c.run("", "sync", "init", url), 1, "", "not authenticated")
	if _, err := os.Stat(c.vault()); !os.IsNotExist(err) {
		t.Errorf("a refused join left %s: %v", c.vault(), err)
	}
}

// TestSyncKill kills a sync that merges, with SIGKILL, at every git command
// it runs: before the command, and just after it; the next sync completes,
// and nothing is lost.
func TestSyncKill(t *testing.T) {
	parallelWaiting(t)
	realGit := testenv.Tool(t, "git")
	// The transport is not what this test tests: git's own protocol costs
	// each fetch and push fewer processes than HTTP does.
	srv := testenv.NewGitDaemon(t)
	// Two machines that both changed the vault since they last synced,
	// copied with their remote for each kill.
	a, url := published(t, srv)
	b := joined(t, url)
	expect(t, a.run(carolURI+"\n", "add", "--uri"), 0, "Added", "")
	expect(t, a.run("", "sync"), 0, "0 changes in, 1 out\n", "")
	expect(t, b.run(daveURI+"\n", "add", "--uri"), 0, "Added", "")
	diverged := func(t *testing.T) (*machine, *machine) {
		copyURL := srv.CopyRepo(t, srv.GitDir(url), repoName(t)+"-copy")
		return copyMachine(t, a, filepath.Join(t.TempDir(), "a"), copyURL), copyMachine(t, b, filepath.Join(t.TempDir(), "b"), copyURL)
	}
	// killingGit is a git that counts vmfa's calls and, at the k-th,
	// kills vmfa before or after running the real git.
	killingGit := func(t *testing.T, k int, after bool) (pathEnv, count string) {
		dir := t.TempDir()
		count = filepath.Join(dir, "count")
		// read, not cat: no process more for each git the sync runs.
		script := fmt.Sprintf(`#!/bin/sh
read comm < /proc/$PPID/comm
if [ "$comm" != vmfa-full ]; then exec %[1]q "$@"; fi
n=0; [ -f %[2]q ] && read n < %[2]q
n=$((n + 1)); echo $n > %[2]q
if [ $n -eq %[3]d ] && [ %[4]t = false ]; then kill -9 $PPID; exit 137; fi
%[1]q "$@"; rc=$?
if [ $n -eq %[3]d ]; then kill -9 $PPID; fi
exit $rc
`, realGit, count, k, after)
		testenv.WriteExecutable(t, filepath.Join(dir, "git"), []byte(script), 0o755)
		return "PATH=" + dir + ":" + os.Getenv("PATH"), count
	}
	// How many git commands a merging sync runs.
	_, b0 := diverged(t)
	pathEnv, count := killingGit(t, 0, false)
	expect(t, vmfa(t, b0.dir, "", append(b0.env, pathEnv), "sync"), 0, "1 change in, 1 out", "")
	n, err := os.ReadFile(count)
	calls, _ := strconv.Atoi(strings.TrimSpace(string(n)))
	if err != nil || calls < 6 {
		t.Fatalf("a merging sync ran %d git commands (%v)", calls, err)
	}
	want := "Amazon Web Services\talice@123456789012\nCarol\tcarol\nDave\tdave\nGitHub\talice"
	for k := 1; k <= calls; k++ {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("git%d,after=%t", k, after), func(t *testing.T) {
				parallel(t)
				a, b := diverged(t)
				pathEnv, _ := killingGit(t, k, after)
				if r := vmfa(t, b.dir, "", append(b.env, pathEnv), "sync"); r.code != -1 {
					t.Fatalf("the sync was not killed: %+v", r)
				}
				expect(t, b.run("", "sync"), 0, "", "")
				expect(t, a.run("", "sync"), 0, "", "")
				for i, m := range []*machine{a, b} {
					if got := sortedLines(m.accounts()); got != want {
						t.Errorf("machine %d lists %q, want %q", i, got, want)
					}
				}
			})
		}
	}
}

// copyMachine copies m, its home and vault with its sync repository as
// they are, to a new machine in dir whose remote is url.
func copyMachine(t *testing.T, m *machine, dir, url string) *machine {
	t.Helper()
	c := &machine{t: t, dir: dir, env: m.env}
	testenv.CopyDir(t, m.dir, c.dir)
	// What git config would do, without a process: the remote's URL.
	config := filepath.Join(c.vault(), "sync.git", "config")
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, "\turl = ") {
			lines[i], found = "\turl = "+url+"\n", true
		}
	}
	if !found {
		t.Fatalf("%s names no remote:\n%s", config, b)
	}
	if err := os.WriteFile(config, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}
