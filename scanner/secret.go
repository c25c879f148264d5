package scanner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// Secret holds credential material (a secret access key or a session token).
// Every printing path redacts it: String, GoString, Format, LogValue and
// MarshalJSON never show more than its first four characters. Call Reveal to
// get the plain value, and only where the user asked for it (--show-secrets)
// or to sign a verification request.
type Secret string

// Reveal returns the plain secret. Callers own what happens to it.
func (s Secret) Reveal() string { return string(s) }

// Redacted returns the first four characters followed by asterisks for the
// rest, so a responder can tell two secrets apart without seeing either.
func (s Secret) Redacted() string {
	if s == "" {
		return ""
	}
	n := len(s)
	keep := 4
	if n <= 8 {
		keep = 0
	}
	stars := n - keep
	if stars > 36 {
		stars = 36
	}
	return string(s[:keep]) + strings.Repeat("*", stars)
}

// SHA256 returns the hex SHA-256 of the plain secret, or "" for an empty one.
func (s Secret) SHA256() string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// String implements fmt.Stringer with the redacted form.
func (s Secret) String() string { return s.Redacted() }

// GoString implements fmt.GoStringer with the redacted form.
func (s Secret) GoString() string { return fmt.Sprintf("scanner.Secret(%q)", s.Redacted()) }

// Format makes every fmt verb (%s, %v, %q, %x, ...) print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.Redacted())
	default:
		fmt.Fprint(f, s.Redacted())
	}
}

// LogValue implements slog.LogValuer with the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.Redacted()) }

// MarshalJSON encodes the redacted form. Reports that must carry the plain
// secret (--show-secrets) write Reveal() explicitly.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.Redacted()) }
