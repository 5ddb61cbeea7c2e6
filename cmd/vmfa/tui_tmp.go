package main

import "github.com/spf13/cobra"

func (a *app) addTUI(root *cobra.Command) {}
