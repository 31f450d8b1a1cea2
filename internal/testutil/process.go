package testutil

import (
	"fmt"
	"os"
	"strings"
)

// Alive reports whether pid exists and is neither a zombie nor dead. A
// zombie counts as gone: nothing may reap orphans in a container (pid 1
// does not), so a killed process can linger as one. It reads
// /proc/PID/stat, so outside Linux it reports false.
func Alive(pid int) bool {
	s := ProcState(pid)
	return s != "" && s != "Z" && s != "X"
}

// ProcState returns the state letter of pid from /proc/PID/stat ("R",
// "S", "Z", ...), or "" when there is no such process.
func ProcState(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The state follows the command name in parentheses, which may itself
	// contain spaces and parentheses.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return "?"
	}
	return s[i+2 : i+3]
}
