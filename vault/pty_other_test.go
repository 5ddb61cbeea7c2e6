//go:build !linux

package vault

import (
	"errors"
	"testing"
	"time"
)

var errNoTerminal = errors.New("no pseudo-terminal")

func runWithTerminal(*testing.T, string, time.Duration, string, ...string) ([]byte, error) {
	return nil, errNoTerminal
}
