//go:build unix && !linux

package staged

const mapPopulate = 0
