// Command keysweep hunts hardcoded AWS access keys and shuts down the live ones.
package main

import (
	"os"

	"github.com/keysweep/keysweep/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
