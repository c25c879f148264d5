package hooks

import (
	"bufio"
	"bytes"
	"os"
	"strings"
)

// Marker is the line that tells a keysweep-managed hook from anybody
// else's. Install rewrites and Uninstall removes only files holding it.
const Marker = "# keysweep-managed-hook"

// ChainSuffix is appended to the name of a foreign hook that Install moved
// aside; the keysweep hook runs it first and stops if it fails.
const ChainSuffix = ".keysweep-chained"

// script returns the shell script installed as hook name. bins lists the
// commands to try in order (absolute paths recorded at install time, then
// names looked up on PATH); each is a command line the hook's name and
// arguments are appended to. global selects what is chained: the
// repository's own .git/hooks/<name> (global hooks directory) or
// <name>.keysweep-chained beside the hook (repository install).
func script(name string, bins [][]string, global bool) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString(Marker + ": installed by `keysweep hook install`.\n")
	b.WriteString("# `keysweep hook uninstall` removes it and puts back any hook it chained.\n")
	b.WriteString("# Do not edit: reinstalling overwrites this file.\n")
	b.WriteString("hook=" + name + "\n")
	if global {
		b.WriteString(`chained="$(git rev-parse --git-common-dir 2>/dev/null)/hooks/$hook"` + "\n")
	} else {
		b.WriteString(`chained="$(dirname -- "$0")/$hook` + ChainSuffix + `"` + "\n")
	}
	b.WriteString(`
ours() {
	n=0
	while [ $n -lt 3 ] && IFS= read -r line; do
		case $line in *keysweep-managed-hook*) return 0 ;; esac
		n=$((n + 1))
	done <"$1"
	return 1
}

run() {
`)
	for _, argv := range bins {
		cmd := shellJoin(argv)
		if strings.HasPrefix(argv[0], "/") {
			b.WriteString("\tif [ -x " + shellQuote(argv[0]) + " ]; then exec " + cmd + ` "$hook" "$@"; fi` + "\n")
		} else {
			b.WriteString("\tif command -v " + shellQuote(argv[0]) + " >/dev/null 2>&1; then exec " + cmd + ` "$hook" "$@"; fi` + "\n")
		}
	}
	b.WriteString(`	echo "keysweep: the $hook hook cannot find keysweep (not at its install path, not on PATH): NOTHING WAS CHECKED." >&2
	echo "keysweep: install keysweep, or remove this hook with 'keysweep hook uninstall', or skip it once with --no-verify." >&2
	exit 1
}

if [ -f "$chained" ] && [ -x "$chained" ] && ! ours "$chained"; then
	case $hook in
	pre-push | pre-receive)
		input=$(cat)
		printf '%s\n' "$input" | "$chained" "$@" || exit $?
		printf '%s\n' "$input" | run "$@"
		exit $?
		;;
	*)
		"$chained" "$@" || exit $?
		;;
	esac
fi
run "$@"
`)
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// isOurs reports whether the file at path is a keysweep-managed hook: the
// marker is on one of its first few lines.
func isOurs(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for i := 0; i < 3 && sc.Scan(); i++ {
		if bytes.Contains(sc.Bytes(), []byte(Marker)) {
			return true
		}
	}
	return false
}
