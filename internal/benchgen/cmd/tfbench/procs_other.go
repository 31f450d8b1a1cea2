//go:build !linux

package main

// taggedProcesses cannot look at other processes' environments here; the
// leak check is Linux-only.
func taggedProcesses(string) []int { return nil }

func processHeadroom(int) (bool, string) { return true, "" }
func memAvailable() int64                { return 0 }
func memTotal() int64                    { return 0 }
func cpuModel() string                   { return "unknown" }
func kernelInfo() (string, string)       { return "unknown", "unknown" }
