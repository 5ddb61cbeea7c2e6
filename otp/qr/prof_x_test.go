package qr

import (
	"os"
	"testing"
)

func TestProfX(t *testing.T) {
	f, _ := os.Open(os.Getenv("PROF_FILE"))
	defer f.Close()
	_, err := Decode(f)
	t.Log(err)
}
