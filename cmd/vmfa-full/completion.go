package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// Completion of account arguments, for the scripts of 'vmfa completion'.
//
// Accounts complete only while the agent holds the vault unlocked: a
// completion never prompts, never runs VMFA_PASSPHRASE_COMMAND (which may
// pop up a PIN entry) and never pays an scrypt unlock, so with the agent
// locked or not running it completes nothing, at once.

const noFiles = cobra.ShellCompDirectiveNoFileComp

// completeAccount completes the first argument, the account of code, rm
// and rename.
func (a *app) completeAccount(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, noFiles
	}
	return a.accountCompletions(nil, toComplete), noFiles
}

// completeAccounts completes every argument, the accounts of export, but
// those given already.
func (a *app) completeAccounts(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return a.accountCompletions(args, toComplete), noFiles
}

// accountCompletions returns the queries of the vault's accounts that start
// with prefix, ignoring case, but those in given: each account's label,
// "Issuer:Name", which 'vmfa code' takes as it is (the shells' scripts quote
// its spaces); where several accounts share a label, each one's ID instead,
// described by the label.
func (a *app) accountCompletions(given []string, prefix string) []string {
	s, err := a.store()
	if err != nil {
		return nil
	}
	v := a.fromAgent(s)
	if v == nil {
		return nil
	}
	d, err := v.Load()
	if err != nil {
		return nil
	}
	// Find takes a label ignoring case: labels equal but for case are
	// shared too.
	shared := map[string]int{}
	for _, e := range d.Accounts {
		shared[strings.ToLower(e.Label())]++
	}
	var queries []string
	for _, e := range d.Accounts {
		query, candidate := e.Label(), e.Label()
		if shared[strings.ToLower(query)] > 1 {
			query = e.ID
			candidate = e.ID + "\t" + e.Label()
		}
		if strings.HasPrefix(strings.ToLower(query), strings.ToLower(prefix)) && !containsFold(given, query) {
			queries = append(queries, candidate)
		}
	}
	return queries
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
