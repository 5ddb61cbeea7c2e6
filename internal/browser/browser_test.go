package browser

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeOpener puts an opener first on PATH that writes the URL it is given
// to a file, and returns that file's path.
func fakeOpener(t *testing.T, script string) string {
	dir := t.TempDir()
	out := filepath.Join(dir, "url")
	if err := os.WriteFile(filepath.Join(dir, Opener()), []byte("#!/bin/sh\necho \"$1\" > "+out+"\n"+script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
	return out
}

// The opener gets a loopback link, never the secret one; the link
// redirects to the secret one once, with no-store and no referrer.
func TestOpenRedirectsOnce(t *testing.T) {
	out := fakeOpener(t, "")
	const secret = "https://signin.example/federation?Action=login&SigninToken=s3cr3t"
	done := make(chan error, 1)
	go func() { done <- Open(context.Background(), secret, 10*time.Second) }()
	var link string
	for deadline := time.Now().Add(10 * time.Second); link == ""; time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadFile(out)
		link = strings.TrimSpace(string(b))
		if time.Now().After(deadline) {
			t.Fatal("the opener was not run")
		}
	}
	if !strings.HasPrefix(link, "http://127.0.0.1:") || strings.Contains(link, "s3cr3t") || len(link) < len("http://127.0.0.1:1/")+32 {
		t.Fatalf("the opener was given %q", link)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Another path on the same server is not the link.
	if resp, err := noFollow.Get(link[:strings.LastIndex(link, "/")] + "/guess"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a guessed path: %v %v", resp, err)
	}
	resp, err := noFollow.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != secret ||
		resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the link answered %s, %v", resp.Status, resp.Header)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if resp, err := noFollow.Get(link); err == nil && resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the link answered %s a second time", resp.Status)
	}
}

// A browser that never comes, and an opener that fails: ErrNotOpened,
// within the time given.
func TestOpenFails(t *testing.T) {
	fakeOpener(t, "")
	start := time.Now()
	err := Open(context.Background(), "https://x.example/", 300*time.Millisecond)
	if !errors.Is(err, ErrNotOpened) || !strings.HasSuffix(err.Error(), "within 300ms") || time.Since(start) > 5*time.Second {
		t.Fatalf("no browser: %v after %v", err, time.Since(start))
	}
	fakeOpener(t, "exit 4\n")
	if err := Open(context.Background(), "https://x.example/", 10*time.Second); !errors.Is(err, ErrNotOpened) || !strings.Contains(err.Error(), "failed (exit status 4)") {
		t.Fatalf("a failing opener: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if err := Open(context.Background(), "https://x.example/", 10*time.Second); !errors.Is(err, ErrNotOpened) || !strings.Contains(err.Error(), "is not on PATH") {
		t.Fatalf("no opener: %v", err)
	}
}
