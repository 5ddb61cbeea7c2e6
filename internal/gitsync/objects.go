package gitsync

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/vmfa/vmfa/vault"
)

// maxTreeSize bounds a tree read from the repository (a remote's
// recipients/ of thousands of names fits).
const maxTreeSize = 1 << 20

// objects reads the repository's trees and blobs, for a merge or a join,
// through one git cat-file --batch-command: one git process, however many
// objects. Each object's size is asked before its content is read.
type objects struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr bytes.Buffer
}

// objects starts the reader; close ends it.
func (g *git) objects(ctx context.Context) (*objects, error) {
	path, err := findGit()
	if err != nil {
		return nil, err
	}
	o := &objects{cmd: g.command(ctx, path, []string{"cat-file", "--batch-command"})}
	o.cmd.Stderr = &o.stderr
	if o.in, err = o.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := o.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := o.cmd.Start(); err != nil {
		return nil, &Error{Command: "cat-file", Err: err}
	}
	o.out = bufio.NewReader(stdout)
	return o, nil
}

func (o *objects) close() {
	o.in.Close()
	o.cmd.Wait()
}

// fail ends git cat-file, whose answers can no longer be followed, and
// returns err, or how it died and what it said.
func (o *objects) fail(err error) error {
	o.in.Close()
	if werr := o.cmd.Wait(); werr != nil {
		err = werr
	}
	return &Error{Command: "cat-file", Said: said(o.stderr.String()), Err: err}
}

// header sends command for name and reads the answer's first line: the
// object's id, type and size, or typ "missing".
func (o *objects) header(command, name string) (id, typ string, size int64, err error) {
	if _, err := fmt.Fprintf(o.in, "%s %s\n", command, name); err != nil {
		return "", "", 0, o.fail(err)
	}
	line, err := o.out.ReadString('\n')
	if err != nil {
		return "", "", 0, o.fail(err)
	}
	f := strings.Fields(line)
	if len(f) == 2 && f[1] == "missing" {
		return "", f[1], 0, nil
	}
	if len(f) != 3 {
		return "", "", 0, o.fail(fmt.Errorf("unexpected answer %q", strings.TrimSpace(line)))
	}
	size, err = strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return "", "", 0, o.fail(fmt.Errorf("unexpected answer %q", strings.TrimSpace(line)))
	}
	return f[0], f[1], size, nil
}

// read returns the content of the object name, of type typ, refusing one
// over max bytes before reading it; what names the object in errors.
func (o *objects) read(what, name, typ string, max int64) ([]byte, error) {
	id, got, size, err := o.header("info", name)
	if err != nil {
		return nil, err
	}
	switch got {
	case typ:
	case "missing":
		return nil, fmt.Errorf("%s is missing", what)
	default:
		return nil, fmt.Errorf("%s is not a %s", what, typ)
	}
	if size > max {
		return nil, fmt.Errorf("%s is over %d bytes", what, max)
	}
	if _, _, size, err = o.header("contents", id); err != nil {
		return nil, err
	}
	if size > max { // of the object just asked of: never
		return nil, o.fail(fmt.Errorf("%s changed while read", what))
	}
	b := make([]byte, size+1) // and the newline after it
	if _, err := io.ReadFull(o.out, b); err != nil {
		return nil, o.fail(err)
	}
	return b[:size], nil
}

// blob reads a blob the tree listed, refusing one over max bytes.
func (o *objects) blob(path, id string, max int64) ([]byte, error) {
	if id == "" {
		return nil, fmt.Errorf("the remote's %s is missing", path)
	}
	return o.read("the remote's "+path, id, "blob", max)
}

// tree lists the files of commit ("" lists none) that a vault's can be:
// those at the top and in recipients/, each with its blob's id.
func (o *objects) tree(commit string) (map[string]string, error) {
	files := map[string]string{}
	if commit == "" {
		return files, nil
	}
	top, err := o.read("the tree of "+commit, commit+"^{tree}", "tree", maxTreeSize)
	if err != nil {
		return nil, err
	}
	return files, parseTree(top, "", func(name, id string, dir bool) error {
		if !dir {
			files[name] = id
			return nil
		}
		if name != vault.RecipientsDir {
			return nil
		}
		sub, err := o.read("the tree "+name+"/ of "+commit, id, "tree", maxTreeSize)
		if err != nil {
			return err
		}
		return parseTree(sub, name+"/", func(name, id string, dir bool) error {
			if !dir {
				files[name] = id
			}
			return nil
		})
	})
}

// parseTree calls each for the entries of a tree object (git's format:
// "MODE NAME\0" and a 20-byte SHA-1, for each), but for submodules, with
// prefix before each name and whether it is a tree.
func parseTree(t []byte, prefix string, each func(name, id string, dir bool) error) error {
	for len(t) > 0 {
		sp := bytes.IndexByte(t, ' ')
		nul := bytes.IndexByte(t, 0)
		if sp <= 0 || nul < sp || len(t) < nul+21 { // no mode, name or id
			return errors.New("a tree of the repository is damaged")
		}
		mode, name, id := string(t[:sp]), string(t[sp+1:nul]), fmt.Sprintf("%x", t[nul+1:nul+21])
		t = t[nul+21:]
		if mode == "160000" { // a submodule's commit
			continue
		}
		if err := each(prefix+name, id, mode == "40000"); err != nil {
			return err
		}
	}
	return nil
}
