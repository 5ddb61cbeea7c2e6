package qr

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

//go:generate sh testdata/degraded/make.sh

// degraded is one image of testdata/degraded and the texts its generator
// put in it.
type degraded struct {
	file string
	want []string
}

// degradedSet reads testdata/degraded/WANT, written by its make.sh.
func degradedSet(t testing.TB) []degraded {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "degraded", "WANT"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var set []degraded
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			t.Fatalf("WANT: bad line %q", sc.Text())
		}
		set = append(set, degraded{fields[0], fields[1:]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(set) < 40 {
		t.Fatalf("WANT lists %d images; run go generate ./otp/qr/", len(set))
	}
	return set
}

// An outcome is what a decoder made of an image: all of its texts and
// nothing else, nothing, or a text that is not in it (a misread, the one
// unforgivable outcome). Reading some of several codes is a miss.
type outcome int

const (
	missed outcome = iota
	read
	misread
)

func judge(got, want []string) outcome {
	for _, g := range got {
		if !slices.Contains(want, g) {
			return misread
		}
	}
	if slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		return read
	}
	return missed
}

// vmfaMayMiss lists the images of the degraded set that vmfa is allowed not
// to read: pages shrunk to a third, 1.3-pixel modules, beyond what the set
// is meant to check (it reads the Lanczos ones, whose ringing keeps the
// modules' edges). Everything else it must read, exactly.
var vmfaMayMiss = []string{
	"small-33-box.png", "small-33-box-q55.jpg",
	"small-33-triangle.png", "small-33-triangle-q55.jpg",
}

// TestDegraded decodes the degraded set with vmfa and with zbarimg, logs
// both counts, and checks that vmfa reads every image it must, in reading
// order, and misreads none. zbarimg's results are only counted.
func TestDegraded(t *testing.T) {
	set := degradedSet(t)
	paths := make([]string, len(set))
	for i, img := range set {
		paths[i] = filepath.Join("testdata", "degraded", img.file)
	}
	byZbarimg := zbarimgFiles(t, paths...)
	var (
		mu                     sync.Mutex
		vmfaCount, zbarCount   [3]int
		vmfaMissed, zbarMissed []string
		vmfaOnly, zbarOnly     []string
	)
	t.Run("set", func(t *testing.T) {
		for i, img := range set {
			t.Run(img.file, func(t *testing.T) {
				t.Parallel()
				got, err := decodePath(t, paths[i])
				if err != nil && !errors.Is(err, ErrNoQRCode) {
					t.Fatalf("Decode: %v", err)
				}
				v := judge(got, img.want)
				z := judge(byZbarimg[i], img.want)
				switch {
				case v == misread:
					t.Errorf("vmfa misread: got %q, want %q", got, img.want)
				case v == read && !slices.Equal(got, img.want):
					t.Errorf("vmfa read %q, want reading order %q", got, img.want)
				case v == missed && !slices.Contains(vmfaMayMiss, img.file):
					t.Errorf("vmfa read %q, want %q", got, img.want)
				case v == read && slices.Contains(vmfaMayMiss, img.file):
					t.Errorf("vmfa now reads %s: take it off vmfaMayMiss", img.file)
				}
				mu.Lock()
				defer mu.Unlock()
				vmfaCount[v]++
				zbarCount[z]++
				if v != read {
					vmfaMissed = append(vmfaMissed, img.file)
				}
				if z != read {
					zbarMissed = append(zbarMissed, img.file)
				}
				if v == read && z != read {
					vmfaOnly = append(vmfaOnly, img.file)
				}
				if z == read && v != read {
					zbarOnly = append(zbarOnly, img.file)
				}
			})
		}
	})
	slices.Sort(vmfaMissed)
	slices.Sort(zbarMissed)
	t.Logf("of %d images, vmfa read %d (misread %d), zbarimg read %d (misread %d)",
		len(set), vmfaCount[read], vmfaCount[misread], zbarCount[read], zbarCount[misread])
	t.Logf("vmfa missed %d: %v", len(vmfaMissed), vmfaMissed)
	t.Logf("zbarimg missed %d: %v", len(zbarMissed), zbarMissed)
	t.Logf("only vmfa read %d; only zbarimg read %d: %v", len(vmfaOnly), len(zbarOnly), zbarOnly)
}
