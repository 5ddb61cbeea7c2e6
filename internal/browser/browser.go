// Package browser opens a URL that holds a secret (a console sign-in
// token) in the user's browser without putting the secret in any process's
// argv, where other users may read it (/proc/PID/cmdline) for as long as
// the process runs: a browser the opener starts keeps its URL there for
// hours.
//
// Open serves a one-time redirect on 127.0.0.1: it starts the system's
// opener (xdg-open, or open on macOS; xdg-open honours $BROWSER) with
// http://127.0.0.1:PORT/NONCE, where NONCE is 128 random bits, and answers
// the first request for that path with a 303 to the secret URL (no-store,
// no referrer); any other request, and that one again, is a 404. Open
// returns once the redirect is taken, or fails when the opener fails or
// the browser has not come within the timeout. argv then holds only a
// spent nonce.
package browser

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

// Opener is the command that opens a URL in the user's browser here.
func Opener() string {
	if runtime.GOOS == "darwin" {
		return "open"
	}
	return "xdg-open"
}

// ErrNotOpened is wrapped by Open's errors: no opener, an opener that
// failed, or a browser that did not ask for the URL in time.
var ErrNotOpened = errors.New("the browser did not open the link")

// Open opens secretURL in the browser through a one-time loopback
// redirect, waiting at most timeout for the browser to take it.
func Open(ctx context.Context, secretURL string, timeout time.Duration) error {
	opener, err := exec.LookPath(Opener())
	if err != nil {
		return fmt.Errorf("%w: %s is not on PATH", ErrNotOpened, Opener())
	}
	nonce := make([]byte, 16)
	rand.Read(nonce)
	path := "/" + hex.EncodeToString(nonce)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	taken := make(chan struct{})
	var once sync.Once
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			served := false
			if r.URL.Path == path && r.Method == http.MethodGet {
				once.Do(func() {
					served = true
					w.Header().Set("Cache-Control", "no-store")
					w.Header().Set("Referrer-Policy", "no-referrer")
					http.Redirect(w, r, secretURL, http.StatusSeeOther)
					close(taken)
				})
			}
			if !served {
				http.NotFound(w, r)
			}
		}),
	}
	go srv.Serve(l)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Not ended with ctx: the opener may be the browser itself by now.
	cmd := exec.Command(opener, "http://"+l.Addr().String()+path)
	ran := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %s did not run (%v)", ErrNotOpened, Opener(), err)
	}
	go func() { ran <- cmd.Wait() }()
	for {
		select {
		case <-taken:
			// Let the 303 reach the browser before the server closes.
			srv.Shutdown(context.Background())
			return nil
		case err := <-ran:
			if err != nil {
				return fmt.Errorf("%w: %s failed (%v)", ErrNotOpened, Opener(), err)
			}
			ran = nil // it handed the URL on; the browser has yet to come
		case <-ctx.Done():
			return fmt.Errorf("%w within %s", ErrNotOpened, timeout)
		}
	}
}
