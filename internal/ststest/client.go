package ststest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The SDK client: a program of the AWS SDK for Go, as Terraform and most
// tools that take an AWS profile are, that asks STS who it is, as 'aws sts
// get-caller-identity --output json' does. The test binary is that program
// too (TestMain calls RunClientIfInvoked, as it does agekeytest's plugin):
// a test that starts several credential_process at once through clients
// pays a few milliseconds for each, where the AWS CLI costs a second.

// ClientName is the name under which the test binary is the client.
const ClientName = "ststest-sdk-client"

// RunClientIfInvoked runs the client and exits if the test binary was
// started as ClientName: with --profile PROFILE, it loads the AWS config as
// every SDK program does (AWS_CONFIG_FILE, AWS_ENDPOINT_URL_STS and the
// rest from its environment), calls GetCallerIdentity and prints the
// answer's UserId, Account and Arn as JSON. It exits 1 with the error on
// stderr if any of that fails. Call it first in TestMain.
func RunClientIfInvoked() {
	if filepath.Base(os.Args[0]) != ClientName {
		return
	}
	flags := flag.NewFlagSet(ClientName, flag.ExitOnError)
	profile := flags.String("profile", "", "the AWS profile")
	flags.Parse(os.Args[1:])
	if err := getCallerIdentity(*profile); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", ClientName, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func getCallerIdentity(profile string) error {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile))
	if err != nil {
		return err
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(struct{ UserId, Account, Arn *string }{id.UserId, id.Account, id.Arn})
}

// Client returns the path of the client: a link named ClientName to the
// running test binary, in a directory of the test's.
func Client(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), ClientName)
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	return link
}
