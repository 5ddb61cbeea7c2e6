package main

import "testing"

// TestRenameParsesLabel: a new name written as a label, ISSUER:NAME, is split
// the way otpauth:// URIs split theirs.
func TestRenameParsesLabel(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	const gitlab = "otpauth://totp/gitlab.com:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJT&issuer=gitlab.com"
	expect(t, vmfa(t, dir, gitlab+"\n"+githubURI+"\n", []string{pw}, "add", "--uri"), 0, "Added gitlab.com:alice", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "gitlab", "GitLab:work"), 0, "Renamed gitlab.com:alice to GitLab:work\n", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "GitLab\twork\ttotp\n", "")
	// Spaces around the colon go, as in URIs; a name alone keeps the issuer.
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "gitlab", "GitLab Inc : home"), 0, "Renamed GitLab:work to GitLab Inc:home\n", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "gitlab", "office"), 0, "Renamed GitLab Inc:home to GitLab Inc:office\n", "")
	// --issuer wins over the label's prefix, as the issuer parameter does.
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "gitlab", "Old:desk", "--issuer", "GitLab"), 0, "Renamed GitLab Inc:office to GitLab:desk\n", "")
	expect(t, vmfa(t, dir, "", []string{pw}, "rename", "gitlab", "GitLab:"), 2, "", "the new name is empty")
}

// TestNoVaultMentionsEnroll: a new user's first command may be enroll.
func TestNoVaultMentionsEnroll(t *testing.T) {
	parallel(t)
	expect(t, vmfa(t, t.TempDir(), "", []string{pw}, "list"), 1, "", "vmfa enroll")
}
