package passphrase

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestEstimate(t *testing.T) {
	for p, want := range map[string]Strength{
		"":                             Weak,
		"abc":                          Weak,
		"hunter2":                      Weak, // 6 bits × 7
		"hunter22":                     Fair,
		"Tr0ub4dor&3":                  Good,
		"correct horse":                Good,
		"correct horse battery staple": Strong,
	} {
		if got := Estimate(p); got != want {
			t.Errorf("Estimate(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestTakeEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(file, []byte("from the file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvFile, file)
	t.Setenv(EnvValue, "from the variable")
	t.Setenv(EnvNew, "abc")
	t.Setenv("VMFA_PASSPHRASE_OTHER", "x")
	e := TakeEnv()
	var warnings []string
	e.Warn = func(msg string) { warnings = append(warnings, msg) }
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VMFA_PASSPHRASE") || strings.HasPrefix(kv, EnvNew) {
			t.Errorf("%s is still in the environment", kv)
		}
	}
	if p, ok, err := e.Passphrase(); p != "from the file" || !ok || err != nil {
		t.Errorf("Passphrase = %q, %v, %v; the file comes before the variable", p, ok, err)
	}
	if p, ok := e.New(); p != "abc" || !ok {
		t.Errorf("New = %q, %v", p, ok)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "readable by others (mode 0644)") || !strings.Contains(warnings[1], "weak") {
		t.Errorf("warnings %q", warnings)
	}
}

// The import and export passwords were read where they were used, and so
// were inherited by every child started before: the passphrase command, the
// clipboard tool. A real child's environment must hold neither.
func TestTakeEnvLeavesChildrenNoImportOrExportPassword(t *testing.T) {
	t.Setenv("VMFA_IMPORT_PASSPHRASE", "import secret")
	t.Setenv("VMFA_EXPORT_PASSPHRASE", "export secret")
	e := TakeEnv()
	out, err := exec.Command("env").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"import secret", "export secret"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("a child inherits %q", secret)
		}
	}
	if p, ok := e.Import(); p != "import secret" || !ok {
		t.Errorf("Import = %q, %v", p, ok)
	}
	if p, ok := e.Export(); p != "export secret" || !ok {
		t.Errorf("Export = %q, %v", p, ok)
	}
}
