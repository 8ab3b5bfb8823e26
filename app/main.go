// Command podpis is the Podpis certificate manager and file signer: with no
// arguments (or `gui`, or files to open) it opens the window, with a
// subcommand it is the command-line tool. Both call the same packages.
package main

import (
	"os"

	"github.com/podpis/podpis/app/cli"
	"github.com/podpis/podpis/app/ui"
)

func main() {
	args := os.Args[1:]
	if cli.ForWindow(args) {
		// Double-clicked files arrive as arguments: open them in the window.
		os.Exit(ui.Main(args))
	}
	os.Exit(cli.Main(args, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
