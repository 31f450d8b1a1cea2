package runtimes

// VarClass says how a client reads a trust variable, which decides what
// trustform does with a value the resource inherits (SPEC 4.1 and issue 13).
type VarClass int

// Classes of trust variables.
const (
	// VarFile names a bundle that replaces the client's default trust
	// (SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE ...). append and
	// system: the inherited file is merged with ours into
	// merged-VAR.pem; override: the variable points at our bundle.
	VarFile VarClass = iota
	// VarDir names certificate directories that replace the client's
	// default ones. SSL_CERT_DIR takes a path list (ours first, then the
	// inherited one, in append and system); GIT_SSL_CAPATH takes one
	// directory (kept in append and system, ours in override).
	VarDir
	// VarExtra names a file the client adds to whatever store it uses
	// (NODE_EXTRA_CA_CERTS, DENO_CERT). append and system: kept (or merged
	// when the row sets it); override: cleared, since it would add trust
	// the scope does not give.
	VarExtra
)

// TrustVar is one variable of the documented list.
type TrustVar struct {
	Name  string
	Class VarClass
	// Readers names the clients known to read it, for docs and plans.
	Readers string
}

// TrustVars is the documented list of trust variables trustform decides for
// every host process, in the order plans show them. Java's trustStore
// properties (in JAVA_TOOL_OPTIONS and jvm_args) are decided by java_app.
func TrustVars() []TrustVar {
	return []TrustVar{
		{"SSL_CERT_FILE", VarFile, "OpenSSL, Go, Ruby, PHP, Python ssl, curl (last)"},
		{"SSL_CERT_DIR", VarDir, "OpenSSL, Go, Ruby, PHP, Python ssl, curl"},
		{"CURL_CA_BUNDLE", VarFile, "curl (first), Python requests"},
		{"GIT_SSL_CAINFO", VarFile, "git"},
		{"GIT_SSL_CAPATH", VarDir, "git"},
		{"REQUESTS_CA_BUNDLE", VarFile, "Python requests"},
		{"PIP_CERT", VarFile, "pip"},
		{"NODE_EXTRA_CA_CERTS", VarExtra, "Node.js, Bun"},
		{"DENO_CERT", VarExtra, "Deno"},
		{"AWS_CA_BUNDLE", VarFile, "AWS CLI and SDKs"},
		{"HTTPLIB2_CA_CERTS", VarFile, "httplib2 (Google API clients)"},
		{"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", VarFile, "gRPC C core (Python, Ruby, PHP, C++)"},
		{"CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", VarFile, "gcloud"},
		{"NIX_SSL_CERT_FILE", VarFile, "Nix"},
	}
}
