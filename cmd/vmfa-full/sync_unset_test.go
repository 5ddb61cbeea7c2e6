package main

import (
	"encoding/json"
	"testing"
)

// TestSyncStatusNotSetUp: 'vmfa sync status' of a vault that does not sync
// says so and how to set it up, and exits 0, as a status command does of
// any state; --json is {"configured":false}. It exited 1 with an error.
func TestSyncStatusNotSetUp(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	expect(t, vmfa(t, dir, awsURI+"\n", []string{pw}, "add", "--uri"), 0, "Added", "")
	r := vmfa(t, dir, "", nil, "sync", "status")
	if r.code != 0 || r.stdout != "sync is not set up: 'vmfa sync init URL' publishes the vault to a git repository\n" || r.stderr != "" {
		t.Fatalf("sync status: %+v", r)
	}
	r = vmfa(t, dir, "", nil, "sync", "status", "--json")
	var st map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil || len(st) != 1 || st["configured"] != false {
		t.Fatalf("sync status --json: %+v", r)
	}
}
