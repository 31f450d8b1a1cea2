// Command trustform declares local processes and containers in HCL, with the
// certificate authorities each must trust, then plans, applies and destroys
// them. Everything it does lives in internal/command; this file only hands
// over the process's arguments, environment and streams, and exits with the
// code it gets back.
package main

import (
	"os"

	"github.com/trustform/trustform/internal/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}
