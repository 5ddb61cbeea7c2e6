//go:build gendocs

package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/gendocs"
	"github.com/vmfa/vmfa/internal/version"
)

func init() { docsCmd = newDocsCmd }

// newDocsCmd is 'vmfa-full __docs DIR', hidden: the release build's maker
// of the manual pages and completion scripts it ships (internal/gendocs),
// from this very command tree (scripts/release-docs.sh). The pages' date is
// $SOURCE_DATE_EPOCH's (the release's commit), else now.
func newDocsCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "__docs DIR",
		Short:  "Write the manual pages and completion scripts in DIR (for a release)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			date := time.Now()
			if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return usageError{fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", s)}
				}
				date = time.Unix(n, 0)
			}
			return gendocs.Write(root, args[0], gendocs.Options{
				Source:       "vmfa " + version.Get().Version,
				Manual:       "vmfa manual",
				Date:         date,
				RootSections: manSections,
			})
		},
	}
}
