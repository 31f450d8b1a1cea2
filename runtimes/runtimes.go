package runtimes

import (
	"sort"
)

// Scope says how a resource's trust is changed. See SPEC section 4.1.
type Scope string

// The four scopes.
const (
	ScopeAppend   Scope = "append"
	ScopeOverride Scope = "override"
	ScopeSystem   Scope = "system"
	ScopeNone     Scope = "none"
)

// Scopes lists the valid scopes in the order they are documented.
var Scopes = []Scope{ScopeAppend, ScopeOverride, ScopeSystem, ScopeNone}

// ValidScope reports whether s names one of the four scopes.
func ValidScope(s string) bool {
	for _, v := range Scopes {
		if string(v) == s {
			return true
		}
	}
	return false
}

// Kind says how a resource is launched.
type Kind string

// Launch kinds.
const (
	KindProcess   Kind = "process"
	KindContainer Kind = "container"
)

// ValueKind says what an environment variable set by trustform points at.
type ValueKind int

// Values a trust variable can take.
const (
	// ValueBundle is the resource's bundle (cert.pem).
	ValueBundle ValueKind = iota
	// ValueCertsDir is the resource's own certificate directory.
	ValueCertsDir
	// ValueCertDirs is the resource's certificate directory followed by the
	// inherited or default directories (append scope's SSL_CERT_DIR).
	ValueCertDirs
	// ValueLiteral is the rule's Literal string.
	ValueLiteral
	// ValueJavaTrustStore is the JVM option list naming the PKCS#12 store.
	ValueJavaTrustStore
)

// Merge says what happens when the user (resource env, or trustform's own
// environment) already set the variable. trustform never silently drops a
// value the user set.
type Merge int

// Merge rules.
const (
	// MergeReplace sets the variable to trustform's value. Used only for
	// variables no user would set for another purpose.
	MergeReplace Merge = iota
	// MergePathList puts trustform's entries first, then the user's, separated
	// by the OS path-list separator (SSL_CERT_DIR).
	MergePathList
	// MergeSpaceList appends trustform's value to the user's, space-separated,
	// unless already present (NODE_OPTIONS, JAVA_TOOL_OPTIONS).
	MergeSpaceList
	// MergeBundle: when the user set the variable to a file, trustform writes
	// a bundle holding that file's certificates plus its own and points the
	// variable at it (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE).
	MergeBundle
)

// EnvRule is one environment variable a runtime gets in some scope.
type EnvRule struct {
	Name    string
	Value   ValueKind
	Literal string // for ValueLiteral
	Merge   Merge
	// IfInherited applies the rule only when the variable, or AlsoFrom, is
	// inherited (set in the resource's env or trustform's environment):
	// curl reads CURL_CA_BUNDLE before SSL_CERT_DIR and SSL_CERT_FILE
	// last, so a bundle the user named in SSL_CERT_FILE reaches curl only
	// through CURL_CA_BUNDLE.
	IfInherited bool
	// AlsoFrom names a second variable whose inherited value stands in
	// for this one's when this one is not inherited.
	AlsoFrom string
	// Refuse lists options that, found in the inherited value of a
	// MergeSpaceList variable, contradict the scope: the plan fails
	// instead of a process that will not start (node refuses
	// --use-bundled-ca together with --use-openssl-ca).
	Refuse []string
}

// Runtime is the row of one resource type.
type Runtime struct {
	// Type is the HCL resource type, e.g. "node_app".
	Type string
	// Kind is process or container.
	Kind Kind
	// DefaultScope applies when certificate_trust_scope is not set.
	DefaultScope Scope
	// DefaultScopeWindows, when not empty, replaces DefaultScope on Windows.
	DefaultScopeWindows Scope
	// Program is the default executable (overridable by the attribute named
	// ProgramAttr), empty for executable and container.
	Program     string
	ProgramAttr string
	// Env lists, per scope, the variables set in addition to the common
	// OpenSSL ones (SSL_CERT_DIR, SSL_CERT_FILE) that every host process gets.
	Env map[Scope][]EnvRule
	// JavaTrustStore is set for runtimes that read a PKCS#12 store instead of
	// PEM files.
	JavaTrustStore bool
	// Attrs is the type's own attribute schema, on top of the arguments
	// every resource accepts and of ProgramAttr.
	Attrs []Attr
	// Argv builds the command line of a host process from the resource's
	// attribute values (defaults filled in) and its args, which always come
	// last. Nil for containers.
	Argv func(v Values, args []string) []string
	// Check, when set, enforces rules between attributes (either-or launch
	// forms); it returns nil when the values are consistent.
	Check func(v Values) *FormError
	// Example is the smallest body of a valid resource of this type, used
	// by the docs tests to ask the planner what it does with the type.
	Example string
	// Doc is a one-line description for help and docs.
	Doc string
}

// DefaultScopeFor returns the default scope on the given GOOS.
func (r *Runtime) DefaultScopeFor(goos string) Scope {
	if goos == "windows" && r.DefaultScopeWindows != "" {
		return r.DefaultScopeWindows
	}
	return r.DefaultScope
}

// CommonEnv returns the OpenSSL variables every host process gets in a scope
// (SPEC 4.1): append sets SSL_CERT_DIR to our directory plus the inherited or
// default ones; override and system point SSL_CERT_DIR at our directory only
// and SSL_CERT_FILE at the bundle.
func CommonEnv(s Scope) []EnvRule {
	switch s {
	case ScopeAppend:
		return []EnvRule{{Name: "SSL_CERT_DIR", Value: ValueCertDirs, Merge: MergePathList}}
	case ScopeOverride, ScopeSystem:
		return []EnvRule{
			{Name: "SSL_CERT_DIR", Value: ValueCertsDir, Merge: MergePathList},
			{Name: "SSL_CERT_FILE", Value: ValueBundle, Merge: MergeBundle},
		}
	}
	return nil
}

// Lookup returns the row of a resource type, or nil when the type is unknown.
func Lookup(typ string) *Runtime { return table[typ] }

// Types returns every known resource type, sorted.
func Types() []string {
	out := make([]string, 0, len(table))
	for k := range table {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Container defaults (SPEC 4.2).
const DefaultContainerDestination = "/usr/lib/ssl/trustform"

// DefaultContainerBundlePaths are the bundle files of common Linux images.
func DefaultContainerBundlePaths() []string {
	return []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
	}
}

// DefaultContainerDirectoryPaths are the certificate directories of common
// Linux images.
func DefaultContainerDirectoryPaths() []string {
	return []string{"/etc/ssl/certs", "/usr/local/share/ca-certificates", "/etc/pki/tls/certs"}
}
