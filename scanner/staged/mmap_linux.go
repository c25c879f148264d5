package staged

import "syscall"

const mapPopulate = syscall.MAP_POPULATE
