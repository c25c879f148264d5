// Package scanner finds AWS credentials in bytes and groups them into
// findings. It imports only the standard library, so it stays pure,
// fuzzable and cheap to call from every source.
//
// The Detector works in two steps. Find looks for the shape of a key ID
// (20 upper-case letters and digits, bounded) by probing one byte in 20,
// validates the prefix (AKIA, ASIA, ABIA, ACCA, legacy A3T) and the base32
// alphabet, then pairs each ID with the 40-character secrets and the
// session tokens in a window around it. ScanBlob adds decoded views
// (base64, URL-encoding, JSON/JavaScript escapes, UTF-16) and archives
// (zip, tar, gzip), each behind a check that costs far less than the
// decoding, so plain source text goes through at Find's speed. ScanReader
// does the same for inputs too large to hold, in overlapping chunks.
//
// Sources (the subpackages: directory, git history, staged changes, GitHub)
// call ScanBlob or ScanReader per unit and add the matches to a Collector,
// which keeps one Finding per credential with all its locations.
package scanner
