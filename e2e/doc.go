// Package e2e proves, with real runtimes, that what trustform plans actually
// works: the tests build the trustform binary, start loopback HTTPS servers
// signed by throwaway CAs, apply projects whose clients (node, npm, python,
// curl, Go, Java, Ruby, Deno, Bun, containers) call those servers, read each
// client's RESULT line from its log, and destroy everything afterwards,
// checking that no process, container or file is left behind.
//
// The package holds tests only. Tests skip when a runtime is missing, naming
// the install command, and fail instead under TRUSTFORM_E2E=require. They are
// skipped in -short mode.
package e2e
