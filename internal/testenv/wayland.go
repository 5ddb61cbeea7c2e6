package testenv

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Wayland is a headless sway compositor of a test's own (see Sway).
type Wayland struct {
	RuntimeDir string // XDG_RUNTIME_DIR, where the socket is
	Display    string // WAYLAND_DISPLAY
	asUser     []string
}

// Sway starts a headless sway, a wlroots compositor, with one output of each
// size given (WxH), HEADLESS-1, HEADLESS-2… side by side from the left, and
// stops it (by pid) when the test ends. Sway refuses to run as root, so as
// root it runs as nobody. A compositor that does not start skips the test
// locally and fails it in CI.
func Sway(t testing.TB, outputs ...string) *Wayland {
	t.Helper()
	Tools(t, "sway", "swaybg", "grim")
	w := &Wayland{}
	// The socket's directory must be reachable by both users: not under
	// t.TempDir, whose parent is private.
	dir, err := os.MkdirTemp("", "vmfa-wayland-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			Skip(t, "sway refuses to run as root, and there is no user nobody: %v", err)
		}
		uid, _ := strconv.Atoi(nobody.Uid)
		gid, _ := strconv.Atoi(nobody.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		w.asUser = []string{"setpriv", "--reuid=" + nobody.Uid, "--regid=" + nobody.Gid, "--clear-groups"}
	}
	w.RuntimeDir = dir
	config := "xwayland disable\nswaybg_command -\n"
	x := 0
	for i, size := range outputs {
		var width, height int
		if _, err := fmt.Sscanf(size, "%dx%d", &width, &height); err != nil {
			t.Fatalf("output size %q: want WxH", size)
		}
		config += fmt.Sprintf("output HEADLESS-%d resolution %dx%d position %d 0\n", i+1, width, height, x)
		x += width
	}
	configFile := filepath.Join(dir, "config")
	if err := os.WriteFile(configFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := w.command("sway", "-c", configFile)
	cmd.Env = append(w.env(), "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman",
		"WLR_HEADLESS_OUTPUTS="+strconv.Itoa(len(outputs)), "HOME="+dir)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		Skip(t, "sway: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			Skip(t, "sway exited: %s", lastLine(log.String()))
		default:
		}
		if sockets, _ := filepath.Glob(filepath.Join(dir, "wayland-*[0-9]")); len(sockets) > 0 {
			w.Display = filepath.Base(sockets[0])
			// The socket is made before the outputs: wait until grim sees
			// every one.
			if c := w.command("grim", "-o", fmt.Sprintf("HEADLESS-%d", len(outputs)), "-"); c.Run() == nil {
				return w
			}
		}
		if time.Now().After(deadline) {
			Skip(t, "sway did not start within 10 s: %s", lastLine(log.String()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Env is what a client needs to reach the compositor.
func (w *Wayland) Env() []string {
	return []string{"XDG_RUNTIME_DIR=" + w.RuntimeDir, "WAYLAND_DISPLAY=" + w.Display}
}

func (w *Wayland) env() []string {
	return append([]string{"PATH=" + os.Getenv("PATH")}, w.Env()...)
}

// command runs a client as the compositor's user.
func (w *Wayland) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string(nil), w.asUser...), name), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = w.env()
	return cmd
}

// ShowImage shows the image file at path centred on output HEADLESS-n with
// swaybg, a real Wayland client, and waits until grim sees its pixels there.
// swaybg is killed (by pid) when the test ends.
func (w *Wayland) ShowImage(t testing.TB, n int, path string) {
	t.Helper()
	want := readImage(t, path)
	output := fmt.Sprintf("HEADLESS-%d", n)
	// swaybg may run as another user, who cannot read the test's files.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	shown := filepath.Join(w.RuntimeDir, output+filepath.Ext(path))
	if err := os.WriteFile(shown, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := w.command("swaybg", "-o", output, "-i", shown, "-m", "center")
	if err := cmd.Start(); err != nil {
		t.Fatalf("swaybg: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	deadline := time.Now().Add(10 * time.Second)
	for {
		grim := w.command("grim", "-o", output, "-")
		if out, err := grim.Output(); err == nil {
			if got, err := png.Decode(bytes.NewReader(out)); err == nil {
				b := got.Bounds()
				at := image.Pt((b.Dx()-want.Bounds().Dx())/2, (b.Dy()-want.Bounds().Dy())/2)
				if holds(got, want, at) {
					return
				}
			}
		}
		select {
		case <-exited:
			t.Fatalf("swaybg exited before showing %s", path)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("swaybg did not show %s on %s within 10 s", path, output)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// holds reports whether screen shows img at its point at, allowing for
// centring off by one pixel.
func holds(screen, img image.Image, at image.Point) bool {
	for _, d := range []image.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {-1, 0}, {0, -1}, {-1, -1}} {
		if same(screen, img, at.Add(d)) {
			return true
		}
	}
	return false
}

func same(screen, img image.Image, at image.Point) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			sr, sg, sb, _ := screen.At(at.X+x-b.Min.X, at.Y+y-b.Min.Y).RGBA()
			if far(uint8(sr>>8), r) || far(uint8(sg>>8), g) || far(uint8(sb>>8), bl) {
				return false
			}
		}
	}
	return true
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
