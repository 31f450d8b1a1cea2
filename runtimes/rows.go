package runtimes

// This file holds one row per resource type: everything trustform knows
// about the type, read by lang (schema, default scope, form checks) and by
// plan (variables per scope, argv). Adding a runtime means adding a row here,
// a page under website/docs/resources/ and an end-to-end proof.

var nodeEnv = map[Scope][]EnvRule{
	ScopeAppend: {{Name: "NODE_EXTRA_CA_CERTS", Value: ValueBundle, Merge: MergeBundle}},
	// --use-openssl-ca makes Node read SSL_CERT_FILE / SSL_CERT_DIR instead of
	// its compiled-in Mozilla store.
	// An inherited NODE_EXTRA_CA_CERTS is cleared in override like every
	// VarExtra variable (TrustVars).
	ScopeOverride: {{Name: "NODE_OPTIONS", Value: ValueLiteral, Literal: "--use-openssl-ca", Merge: MergeSpaceList, Refuse: nodeCAFlags}},
	ScopeSystem:   {{Name: "NODE_OPTIONS", Value: ValueLiteral, Literal: "--use-openssl-ca", Merge: MergeSpaceList, Refuse: nodeCAFlags}},
}

// nodeCAFlags pick another CA store than the OpenSSL one override and
// system point Node at: node exits with "either --use-openssl-ca or
// --use-bundled-ca can be used, not both".
var nodeCAFlags = []string{"--use-bundled-ca", "--use-system-ca"}

var pythonEnv = map[Scope][]EnvRule{
	ScopeOverride: {
		{Name: "REQUESTS_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle},
		{Name: "CURL_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle},
		{Name: "PIP_CERT", Value: ValueBundle, Merge: MergeBundle},
	},
	ScopeSystem: {
		{Name: "REQUESTS_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle},
		{Name: "CURL_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle},
		{Name: "PIP_CERT", Value: ValueBundle, Merge: MergeBundle},
	},
}

var javaEnv = map[Scope][]EnvRule{
	ScopeAppend:   {{Name: "JAVA_TOOL_OPTIONS", Value: ValueJavaTrustStore, Merge: MergeSpaceList}},
	ScopeOverride: {{Name: "JAVA_TOOL_OPTIONS", Value: ValueJavaTrustStore, Merge: MergeSpaceList}},
	ScopeSystem:   {{Name: "JAVA_TOOL_OPTIONS", Value: ValueJavaTrustStore, Merge: MergeSpaceList}},
}

var denoEnv = map[Scope][]EnvRule{
	// Deno ignores SSL_CERT_DIR; DENO_CERT adds a bundle to its Mozilla store.
	ScopeAppend: {{Name: "DENO_CERT", Value: ValueBundle, Merge: MergeReplace}},
	// With DENO_TLS_CA_STORE=system Deno uses the platform verifier, which on
	// Linux reads SSL_CERT_FILE.
	ScopeOverride: {{Name: "DENO_TLS_CA_STORE", Value: ValueLiteral, Literal: "system", Merge: MergeReplace}},
	ScopeSystem:   {{Name: "DENO_TLS_CA_STORE", Value: ValueLiteral, Literal: "system", Merge: MergeReplace}},
}

var bunEnv = map[Scope][]EnvRule{
	ScopeAppend:   {{Name: "NODE_EXTRA_CA_CERTS", Value: ValueBundle, Merge: MergeBundle}},
	ScopeOverride: {{Name: "NODE_EXTRA_CA_CERTS", Value: ValueBundle, Merge: MergeBundle}},
	ScopeSystem:   {{Name: "NODE_EXTRA_CA_CERTS", Value: ValueBundle, Merge: MergeBundle}},
}

// script is the required script path of PROGRAM SCRIPT ARGS runtimes.
var script = Attr{Name: "script", Required: true, Path: true, MustExist: ExistFile}

// nodeScript is node's script: node also runs a directory, through its
// package.json main or its index.js.
var nodeScript = Attr{Name: "script", Required: true, Path: true, MustExist: ExistFile,
	DirEntries: []string{"package.json", "index.js", "index.cjs", "index.mjs"}}

// pythonScript is python's script: python also runs a directory or zip
// holding __main__.py.
var pythonScript = Attr{Name: "script", Required: true, Path: true, MustExist: ExistFile,
	DirEntries: []string{"__main__.py"}}

// programScript is PROGRAM SCRIPT ARGS...
func programScript(program string) func(Values, []string) []string {
	return func(v Values, args []string) []string {
		return append([]string{v.Str(program), v.Str("script")}, args...)
	}
}

// executableEnv steers the two tools an executable most often is. curl
// (OpenSSL build) reads exactly one of CURL_CA_BUNDLE, SSL_CERT_DIR,
// SSL_CERT_FILE, first set wins, and keeps its compiled-in CA file or CA
// path for the other half; git (GnuTLS libcurl on Debian) ignores the
// OpenSSL variables and reads GIT_SSL_CAINFO and GIT_SSL_CAPATH.
var executableEnv = map[Scope][]EnvRule{
	ScopeAppend: {
		// CAfile = the user's bundle plus ours; CApath stays curl's default.
		{Name: "CURL_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle, IfInherited: true, AlsoFrom: "SSL_CERT_FILE"},
		// git: CAfile = ours (plus an inherited one), CApath its default.
		{Name: "GIT_SSL_CAINFO", Value: ValueBundle, Merge: MergeBundle},
	},
	ScopeSystem: {
		{Name: "CURL_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle},
		{Name: "GIT_SSL_CAINFO", Value: ValueBundle, Merge: MergeBundle},
	},
	// curl's default CA path (/etc/ssl/certs on Debian) still applies with
	// CURL_CA_BUNDLE; override needs --capath too (see the executable page).
	ScopeOverride: {
		{Name: "CURL_CA_BUNDLE", Value: ValueBundle, Merge: MergeBundle},
		{Name: "GIT_SSL_CAINFO", Value: ValueBundle, Merge: MergeBundle},
		{Name: "GIT_SSL_CAPATH", Value: ValueCertsDir, Merge: MergeReplace},
	},
}

// table is every resource type trustform knows, by HCL type name.
var table = map[string]*Runtime{
	"executable": {Type: "executable", Kind: KindProcess, DefaultScope: ScopeAppend,
		Env:   executableEnv,
		Attrs: []Attr{{Name: "command", Required: true}},
		Argv: func(v Values, args []string) []string {
			return append([]string{v.Str("command")}, args...)
		},
		Example: `command = "sleep"`,
		Doc:     "any program; OpenSSL variables only"},
	"node_app": {Type: "node_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		Program: "node", ProgramAttr: "node", Env: nodeEnv,
		Attrs: []Attr{nodeScript}, Argv: programScript("node"),
		Example: `script = "app.js"`, Doc: "node SCRIPT ARGS..."},
	"npm_app": {Type: "npm_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		Program: "npm", ProgramAttr: "npm", Env: nodeEnv,
		// A package.json script name, not a path.
		Attrs: []Attr{{Name: "script", Default: "start"}},
		Argv: func(v Values, args []string) []string {
			head := []string{v.Str("npm"), "run", v.Str("script")}
			if len(args) > 0 {
				head = append(head, "--")
			}
			return append(head, args...)
		},
		Example: `script = "start"`, Doc: "npm run SCRIPT -- ARGS..."},
	"python_app": {Type: "python_app", Kind: KindProcess, DefaultScope: ScopeSystem,
		Program: "python3", ProgramAttr: "python", Env: pythonEnv,
		Attrs: []Attr{pythonScript}, Argv: programScript("python"),
		Example: `script = "app.py"`, Doc: "python SCRIPT ARGS..."},
	"python_module": {Type: "python_module", Kind: KindProcess, DefaultScope: ScopeSystem,
		Program: "python3", ProgramAttr: "python", Env: pythonEnv,
		Attrs: []Attr{{Name: "module", Required: true, MustExist: ExistPythonModule}},
		Argv: func(v Values, args []string) []string {
			return append([]string{v.Str("python"), "-m", v.Str("module")}, args...)
		},
		Example: `module = "http.server"`, Doc: "python -m MODULE ARGS..."},
	"dotnet_project": {Type: "dotnet_project", Kind: KindProcess, DefaultScope: ScopeAppend,
		DefaultScopeWindows: ScopeNone, Program: "dotnet", ProgramAttr: "dotnet",
		Attrs: []Attr{{Name: "project", Required: true, Path: true}},
		Argv: func(v Values, args []string) []string {
			head := []string{v.Str("dotnet"), "run", "--project", v.Str("project")}
			if len(args) > 0 {
				head = append(head, "--")
			}
			return append(head, args...)
		},
		Example: `project = "App.csproj"`, Doc: "dotnet run --project PATH -- ARGS..."},
	"container": {Type: "container", Kind: KindContainer, DefaultScope: ScopeAppend,
		Attrs: []Attr{
			{Name: "image", Required: true},
			{Name: "entrypoint"},
			{Name: "ports", List: true},
			{Name: "network"},
			{Name: "volumes", List: true},
			{Name: "runtime_args", List: true},
		},
		Example: `image = "alpine:3"`, Doc: "a docker or podman container"},
	"java_app": {Type: "java_app", Kind: KindProcess, DefaultScope: ScopeSystem,
		Program: "java", ProgramAttr: "java", Env: javaEnv, JavaTrustStore: true,
		Attrs: []Attr{
			{Name: "jar", Path: true, MustExist: ExistFile},
			{Name: "classpath"},
			{Name: "main"},
			{Name: "jvm_args", List: true},
		},
		Argv: func(v Values, args []string) []string {
			head := append([]string{v.Str("java")}, v.List("jvm_args")...)
			if jar := v.Str("jar"); jar != "" {
				head = append(head, "-jar", jar)
			} else {
				head = append(head, "-cp", v.Str("classpath"), v.Str("main"))
			}
			return append(head, args...)
		},
		Check:   checkJava,
		Example: `jar = "app.jar"`,
		Doc:     "java [JVM_ARGS] -jar JAR ARGS... or -cp CLASSPATH MAIN ARGS..."},
	"go_app": {Type: "go_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		Program: "go", ProgramAttr: "go",
		Attrs: []Attr{
			{Name: "package", MustExist: ExistGoPackage},
			{Name: "binary", Path: true, MustExist: ExistFile},
		},
		Argv: func(v Values, args []string) []string {
			if bin := v.Str("binary"); bin != "" {
				return append([]string{bin}, args...)
			}
			return append([]string{v.Str("go"), "run", v.Str("package")}, args...)
		},
		Check:   checkGo,
		Example: `package = "./cmd/server"`,
		Doc:     "go run PACKAGE ARGS... or a built binary"},
	"ruby_app": {Type: "ruby_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		Program: "ruby", ProgramAttr: "ruby",
		Attrs: []Attr{script}, Argv: programScript("ruby"),
		Example: `script = "app.rb"`, Doc: "ruby SCRIPT ARGS..."},
	"deno_app": {Type: "deno_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		Program: "deno", ProgramAttr: "deno", Env: denoEnv,
		Attrs: []Attr{script, {Name: "permissions", List: true}},
		Argv: func(v Values, args []string) []string {
			head := append(append([]string{v.Str("deno"), "run"}, v.List("permissions")...), v.Str("script"))
			return append(head, args...)
		},
		Example: `script = "app.ts"`, Doc: "deno run [PERMISSIONS] SCRIPT ARGS..."},
	"php_app": {Type: "php_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		// PHP's openssl extension verifies with OpenSSL's default paths when
		// openssl.cafile and openssl.capath are empty, as Debian ships it:
		// SSL_CERT_FILE and SSL_CERT_DIR, so the common variables suffice.
		Program: "php", ProgramAttr: "php",
		Attrs: []Attr{script}, Argv: programScript("php"),
		Example: `script = "app.php"`, Doc: "php SCRIPT ARGS..."},
	"bun_app": {Type: "bun_app", Kind: KindProcess, DefaultScope: ScopeAppend,
		Program: "bun", ProgramAttr: "bun", Env: bunEnv,
		Attrs: []Attr{script}, Argv: programScript("bun"),
		Example: `script = "app.ts"`, Doc: "bun SCRIPT ARGS..."},
}

func checkJava(v Values) *FormError {
	const how = "a java_app runs either jar = \"app.jar\", or classpath = \"...\" with main = \"com.example.Main\"."
	jar, cp, main := v.Str("jar"), v.Str("classpath"), v.Str("main")
	switch {
	case jar != "" && cp != "":
		return &FormError{Attr: "classpath", Other: "jar", How: how}
	case jar != "" && main != "":
		return &FormError{Attr: "main", Other: "jar", How: how}
	case jar == "" && cp == "" && main == "":
		return &FormError{How: "has nothing to run: " + how}
	case jar == "" && main == "":
		return &FormError{How: "sets classpath but not main: " + how}
	case jar == "" && cp == "":
		return &FormError{How: "sets main but not classpath: " + how}
	}
	return nil
}

func checkGo(v Values) *FormError {
	const how = "a go_app runs either package = \"./cmd/server\" (go run) or binary = \"bin/server\"."
	pkg, bin := v.Str("package"), v.Str("binary")
	switch {
	case pkg != "" && bin != "":
		return &FormError{Attr: "binary", Other: "package", How: how}
	case pkg == "" && bin == "":
		return &FormError{How: "has nothing to run: " + how}
	}
	return nil
}
