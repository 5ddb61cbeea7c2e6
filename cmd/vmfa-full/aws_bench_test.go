package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/ststest"
	"github.com/vmfa/vmfa/internal/testenv"
)

// BenchmarkAWSCredentialsCached times whole processes, alternately: `vmfa
// aws credentials` served from the unlocked agent's cache (what every
// credential_process call after the first costs), and `vmfa code` through
// the same agent, its peer in README's Performance table. It reports each
// one's median and their ratio. scripts/bench-aws.sh runs it.
func BenchmarkAWSCredentialsCached(b *testing.B) {
	dir := b.TempDir()
	srv := ststest.New(b)
	srv.AddUser(awsBaseKey, awsBaseSecretKey, awsBaseARN)
	srv.AddDevice(awsDevice, awsBaseARN, awsSecret, 30)
	config := "[profile base]\nregion = eu-west-1\nmfa_serial = " + awsDevice + "\n"
	credentials := "[base]\naws_access_key_id = " + awsBaseKey + "\naws_secret_access_key = " + awsBaseSecretKey + "\n"
	for name, text := range map[string]string{"config": config, "credentials": credentials} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	env := []string{
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_ENDPOINT_URL_STS=" + srv.URL, "AWS_EC2_METADATA_DISABLED=true",
	}
	run := func(stdin string, env []string, args ...string) testenv.Result {
		b.Helper()
		r := testenv.Run(b, testenv.Command(b, vmfaBin, dir, env, args...), stdin)
		if r.Code != 0 {
			b.Fatalf("vmfa %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Stderr)
		}
		return r
	}
	run(awsURI+"\n", []string{pw}, "add", "--uri")
	run("", []string{pw}, "unlock")
	credentialsCmd := []string{"aws", "credentials", "--profile", "base"}
	run("", env, credentialsCmd...) // the one STS call; the agent keeps the session

	var aws, code []time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		run("", env, credentialsCmd...)
		aws = append(aws, time.Since(start))
		start = time.Now()
		run("", nil, "code", "aws")
		code = append(code, time.Since(start))
	}
	b.StopTimer()
	if n := srv.Count("GetSessionToken"); n != 1 {
		b.Fatalf("STS saw %d GetSessionToken, want 1: the agent's cache did not serve", n)
	}
	mAWS, mCode := median(aws), median(code)
	b.ReportMetric(float64(mAWS)/1e6, "aws-ms")
	b.ReportMetric(float64(mCode)/1e6, "code-ms")
	b.ReportMetric(float64(mAWS)/float64(mCode), "aws/code")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
