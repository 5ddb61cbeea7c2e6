package awssession

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
)

// A session served from the cache: the profile read and the cache file
// decrypted, with no HTTP client built (AWS_CA_BUNDLE, when set, costs
// milliseconds to parse) and no STS call.
func BenchmarkCachedSession(b *testing.B) {
	srv := ststest.New(b)
	awsFiles(b, srv, baseConfig, true)
	v := newVault(b)
	cache := &FileCache{Dir: filepath.Join(b.TempDir(), "aws-sessions"), Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	r := Request{Cache: cache, Codes: (&totp{}).code, Now: time.Now}
	ctx := context.Background()
	for b.Loop() {
		p, err := Load(ctx, "base")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Session(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	if n := srv.Count("GetSessionToken"); n != 1 {
		b.Fatalf("%d GetSessionToken, want 1", n)
	}
}
