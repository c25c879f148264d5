package scanner

import "errors"

// ErrLimit is wrapped by ScanBlob's error when an archive exceeded a size
// or depth limit (a likely zip bomb): the unit was only partly scanned.
var ErrLimit = errors.New("archive size limit exceeded")
