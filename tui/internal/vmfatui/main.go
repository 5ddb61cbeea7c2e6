// Command vmfatui runs the TUI alone, for the end-to-end test, the CPU
// measurement and screen captures while cmd/vmfa does not start it yet.
//
// It reads VMFA_DIR (the vault), VMFA_PASSPHRASE, VMFA_LOCK_AFTER (a Go
// duration) and VMFA_WORK_FACTOR. With -demo it first creates a vault of
// fake demo accounts in VMFA_DIR.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
)

func main() {
	demo := flag.Int("demo", 0, "create a vault of this many fake accounts first")
	flag.Parse()
	dir := os.Getenv("VMFA_DIR")
	if dir == "" {
		fmt.Fprintln(os.Stderr, "vmfatui: set VMFA_DIR")
		os.Exit(2)
	}
	wf, _ := strconv.Atoi(os.Getenv("VMFA_WORK_FACTOR"))
	lock, _ := time.ParseDuration(os.Getenv("VMFA_LOCK_AFTER"))
	store := vault.Open(dir)
	if *demo > 0 {
		if err := makeDemo(store, os.Getenv("VMFA_PASSPHRASE"), wf, *demo); err != nil {
			fmt.Fprintln(os.Stderr, "vmfatui:", err)
			os.Exit(1)
		}
	}
	err := tui.Run(tui.Options{Store: store, Passphrase: os.Getenv("VMFA_PASSPHRASE"), LockAfter: lock, WorkFactor: wf})
	if err != nil {
		fmt.Fprintln(os.Stderr, "vmfatui:", err)
		os.Exit(1)
	}
}

var demoNames = []struct{ issuer, name string }{
	{"GitHub", "alice@example.com"}, {"Amazon Web Services", "root@prod-account"},
	{"Google", "alice.personal@gmail.com"}, {"Cloudflare", "ops@example.com"},
	{"Proton", "alice@proton.me"}, {"Fastmail", "alice@fastmail.com"},
	{"GitLab", "alice"}, {"Tailscale", "alice@github"}, {"npm", "alice"},
	{"DigitalOcean", "team-infra"}, {"Hetzner", "K0123456"}, {"Slack", "acme.slack.com"},
}

// makeDemo fills a new vault with fake accounts whose secrets are derived
// from their index: they open nothing.
func makeDemo(s *vault.Store, pass string, wf, n int) error {
	v, err := s.Create(pass, wf)
	if err != nil {
		return err
	}
	_, err = v.Update(func(d *vault.Data) error {
		for i := range n {
			dn := demoNames[i%len(demoNames)]
			a := otp.Account{Issuer: dn.issuer, Name: dn.name, Secret: otp32(i)}
			if i >= len(demoNames) {
				a.Name = fmt.Sprintf("%s-%d", dn.name, i/len(demoNames))
			}
			if dn.issuer == "Cloudflare" {
				a.Digits = 8
			}
			if err := a.Normalize(); err != nil {
				return err
			}
			if _, err := d.Add(a, time.Now()); err != nil {
				return err
			}
		}
		if len(d.Accounts) > 1 {
			d.Accounts[0].Pinned = true
		}
		return nil
	})
	return err
}

// otp32 makes a distinct, valid base32 secret for demo account i.
func otp32(i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 32)
	x := uint64(i)*0x9E3779B97F4A7C15 + 12345
	for j := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[j] = alphabet[x%32]
	}
	return string(b)
}
