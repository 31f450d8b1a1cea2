package trustcheck

import (
	"crypto/x509"
	"path/filepath"
	"strings"
)

// Store is one source of trusted certificates a client reads.
type Store struct {
	// Label names the store for the user: "trust set corp", "the system
	// roots", "/etc/ssl/certs/ca-certificates.crt".
	Label string
	// Var is the variable that chose the store ("" for a built-in default).
	Var string
	// Path is the file or directory read, "" for built-in stores.
	Path string
	// Inherited is set when Var comes from trustform's own environment
	// (the shell), not from the plan.
	Inherited bool
	// Ours is set when the store is trustform's trust material.
	Ours  bool
	Certs []*x509.Certificate
	// Err is why the store could not be read; a client that cannot read
	// a store trusts nothing from it.
	Err error
}

// Client is one TLS client of a runtime, as the resource would run it.
type Client struct {
	// Name is the client as users know it: "node", "python (ssl module)".
	Name string
	// Partial is set when any certificate of a store may be the anchor
	// (Go, curl's X509_V_FLAG_PARTIAL_CHAIN, Java); unset, the anchor must
	// be a self-signed root, as OpenSSL requires by default.
	Partial bool
	Stores  []Store
	// Note qualifies the model, e.g. an approximation.
	Note string
}

// Env is the final environment of a resource: trustform's own environment
// overlaid with what the plan sets. Plan says which keys the plan set.
type Env struct {
	Vars map[string]string
	Plan map[string]bool
}

// Get returns a variable's value; an empty value counts as unset, as the
// runtimes treat it.
func (e Env) Get(name string) (string, bool) {
	v := e.Vars[name]
	return v, v != ""
}

// Files reads certificates: File parses a PEM bundle, Dir the
// certificates of a directory (OpenSSL's hashed names, or every file for
// Go), System the host's roots, Java the JDK's cacerts.
type Files struct {
	File   func(path string) ([]*x509.Certificate, error)
	Dir    func(dir string, hashedOnly bool) ([]*x509.Certificate, error)
	System func() ([]*x509.Certificate, error)
	// Java reads a trust store (PKCS#12 or JKS); path "" is the JDK's
	// default cacerts.
	Java func(path string) ([]*x509.Certificate, error)
	// DefaultFile and DefaultDir are OpenSSL's compiled-in locations.
	DefaultFile, DefaultDir string
	// TrustDir is the resource's trust material directory and TrustSet its
	// name, so stores inside it are labelled as the set.
	TrustDir, TrustSet string
	// Scope is the resource's scope; containers need it, as their
	// variables name paths inside the image.
	Scope string
}

func (f Files) label(path string) (string, bool) {
	if f.TrustDir != "" && (path == f.TrustDir || strings.HasPrefix(path, f.TrustDir+string(filepath.Separator))) {
		rel, _ := filepath.Rel(f.TrustDir, path)
		return "trust set " + f.TrustSet + " (" + filepath.ToSlash(rel) + ")", true
	}
	return path, false
}

func (f Files) fileStore(env Env, name, path string) Store {
	label, ours := f.label(path)
	s := Store{Label: label, Var: name, Path: path, Ours: ours, Inherited: name != "" && !env.Plan[name]}
	s.Certs, s.Err = f.File(path)
	return s
}

func (f Files) dirStores(env Env, name, list string, hashedOnly bool) []Store {
	var out []Store
	for _, d := range filepath.SplitList(list) {
		if d == "" {
			continue
		}
		label, ours := f.label(d)
		s := Store{Label: label, Var: name, Path: d, Ours: ours, Inherited: name != "" && !env.Plan[name]}
		s.Certs, s.Err = f.Dir(d, hashedOnly)
		out = append(out, s)
	}
	return out
}

// openSSLDefault is what SSL_CTX_set_default_verify_paths reads:
// SSL_CERT_FILE or the default file, and SSL_CERT_DIR or the default
// directory, both.
func (f Files) openSSLDefault(env Env) []Store {
	var out []Store
	if v, ok := env.Get("SSL_CERT_FILE"); ok {
		out = append(out, f.fileStore(env, "SSL_CERT_FILE", v))
	} else if f.DefaultFile != "" {
		out = append(out, f.fileStore(env, "", f.DefaultFile))
	}
	if v, ok := env.Get("SSL_CERT_DIR"); ok {
		out = append(out, f.dirStores(env, "SSL_CERT_DIR", v, true)...)
	} else if f.DefaultDir != "" {
		out = append(out, f.dirStores(env, "", f.DefaultDir, true)...)
	}
	return out
}

func (f Files) system(label string) Store {
	s := Store{Label: label}
	s.Certs, s.Err = f.System()
	return s
}

// Clients returns the TLS clients a resource of the given type runs, with
// the stores its final environment makes them read. argv helps pick the
// client of an executable (curl has rules of its own).
func Clients(typ string, argv []string, env Env, f Files) []Client {
	switch typ {
	case "node_app", "npm_app":
		return []Client{nodeClient("node", env, f)}
	case "bun_app":
		c := Client{Name: "bun", Note: "bun's bundled roots are approximated with the system roots"}
		c.Stores = append(c.Stores, f.system("bun's bundled roots (approximated by the system roots)"))
		if v, ok := env.Get("NODE_EXTRA_CA_CERTS"); ok {
			c.Stores = append(c.Stores, f.fileStore(env, "NODE_EXTRA_CA_CERTS", v))
		}
		return []Client{c}
	case "python_app", "python_module":
		ssl := Client{Name: "python (ssl module: urllib, http.client)", Stores: f.openSSLDefault(env)}
		return []Client{ssl, requestsClient(env, f)}
	case "go_app":
		return []Client{goClient(env, f)}
	case "java_app":
		return []Client{javaClient(env, argv, f)}
	case "deno_app":
		c := Client{Name: "deno", Partial: true}
		if v, _ := env.Get("DENO_TLS_CA_STORE"); strings.Contains(v, "system") {
			c.Stores = f.openSSLDefault(env)
		} else {
			c.Stores = append(c.Stores, f.system("deno's bundled Mozilla roots (approximated by the system roots)"))
		}
		if v, ok := env.Get("DENO_CERT"); ok {
			c.Stores = append(c.Stores, f.fileStore(env, "DENO_CERT", v))
		}
		return []Client{c}
	case "executable":
		if program(argv) == "curl" {
			return []Client{curlClient(env, f)}
		}
		return []Client{goClient(env, f)}
	case "container":
		// The variables name paths inside the image: read the set from the
		// host, and the image's roots, which append and system keep, are
		// approximated by the host's.
		c := Client{Name: "OpenSSL in the container"}
		if f.TrustDir != "" && f.Scope != "none" {
			c.Stores = append(c.Stores, f.fileStore(env, "", filepath.Join(f.TrustDir, "cert.pem")))
		}
		if f.Scope != "override" {
			c.Stores = append(c.Stores, f.system("the image's roots (approximated by the host's system roots)"))
			c.Note = "the image's own roots are approximated by the host's"
		}
		return []Client{c}
	default:
		// ruby, php, dotnet on Linux: OpenSSL's default paths.
		return []Client{{Name: "OpenSSL (" + typ + ")", Stores: f.openSSLDefault(env)}}
	}
}

// program is the client program an executable runs: argv[0], or the first
// word of a `sh -c SCRIPT`.
func program(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	base := filepath.Base(argv[0])
	switch base {
	case "sh", "bash", "dash", "zsh":
		if len(argv) >= 3 && argv[1] == "-c" {
			if f := strings.Fields(argv[2]); len(f) > 0 {
				return filepath.Base(f[0])
			}
		}
	}
	return base
}

func nodeClient(name string, env Env, f Files) Client {
	c := Client{Name: name}
	opts, _ := env.Get("NODE_OPTIONS")
	if strings.Contains(opts, "--use-openssl-ca") {
		c.Stores = f.openSSLDefault(env)
	} else {
		c.Stores = append(c.Stores, f.system("node's bundled Mozilla roots (approximated by the system roots)"))
		c.Note = "node's bundled Mozilla roots are approximated with this machine's system roots"
	}
	if v, ok := env.Get("NODE_EXTRA_CA_CERTS"); ok {
		c.Stores = append(c.Stores, f.fileStore(env, "NODE_EXTRA_CA_CERTS", v))
	}
	return c
}

// requestsClient: requests verifies with REQUESTS_CA_BUNDLE, else
// CURL_CA_BUNDLE, else certifi's bundle (Debian's certifi is the system
// bundle); it ignores SSL_CERT_FILE and SSL_CERT_DIR.
func requestsClient(env Env, f Files) Client {
	c := Client{Name: "python (requests)"}
	for _, name := range []string{"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"} {
		if v, ok := env.Get(name); ok {
			c.Stores = []Store{f.fileStore(env, name, v)}
			return c
		}
	}
	c.Stores = []Store{f.system("certifi's bundle (approximated by the system roots)")}
	return c
}

// goClient is crypto/x509 on Linux: SSL_CERT_FILE replaces the default
// bundle, SSL_CERT_DIR the default directories (every file in them).
func goClient(env Env, f Files) Client {
	c := Client{Name: "Go crypto/x509", Partial: true}
	if v, ok := env.Get("SSL_CERT_FILE"); ok {
		c.Stores = append(c.Stores, f.fileStore(env, "SSL_CERT_FILE", v))
	} else if f.DefaultFile != "" {
		c.Stores = append(c.Stores, f.fileStore(env, "", f.DefaultFile))
	}
	if v, ok := env.Get("SSL_CERT_DIR"); ok {
		c.Stores = append(c.Stores, f.dirStores(env, "SSL_CERT_DIR", v, false)...)
	} else if f.DefaultDir != "" {
		c.Stores = append(c.Stores, f.dirStores(env, "", f.DefaultDir, false)...)
	}
	return c
}

// curlClient is the curl tool: CURL_CA_BUNDLE wins over SSL_CERT_FILE and
// SSL_CERT_DIR, which are read only without it; the compiled-in bundle and
// directory stay for whatever is not set; X509_V_FLAG_PARTIAL_CHAIN is on.
func curlClient(env Env, f Files) Client {
	c := Client{Name: "curl", Partial: true}
	file, fileVar := f.DefaultFile, ""
	dir, dirVar := f.DefaultDir, ""
	if v, ok := env.Get("CURL_CA_BUNDLE"); ok {
		file, fileVar = v, "CURL_CA_BUNDLE"
	} else {
		if v, ok := env.Get("SSL_CERT_DIR"); ok {
			dir, dirVar = v, "SSL_CERT_DIR"
		}
		if v, ok := env.Get("SSL_CERT_FILE"); ok {
			file, fileVar = v, "SSL_CERT_FILE"
		}
	}
	if file != "" {
		c.Stores = append(c.Stores, f.fileStore(env, fileVar, file))
	}
	if dir != "" {
		c.Stores = append(c.Stores, f.dirStores(env, dirVar, dir, true)...)
	}
	return c
}

// javaClient reads the store the last -Djavax.net.ssl.trustStore names,
// else the JDK's cacerts. The JVM takes options from JAVA_TOOL_OPTIONS,
// then JDK_JAVA_OPTIONS (read by the java launcher), then its command line
// (argv), then _JAVA_OPTIONS, and for a property set twice the last wins.
// PKIX accepts any certificate of the store as anchor.
func javaClient(env Env, argv []string, f Files) Client {
	c := Client{Name: "Java (PKIX)", Partial: true}
	path, from := "", ""
	pick := func(opts []string, src string) {
		for _, o := range opts {
			if v, ok := strings.CutPrefix(o, "-Djavax.net.ssl.trustStore="); ok {
				path, from = v, src
			}
		}
	}
	for _, name := range []string{"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "", "_JAVA_OPTIONS"} {
		if name == "" {
			pick(argv, "")
			continue
		}
		opts, _ := env.Get(name)
		pick(strings.Fields(opts), name)
	}
	label, ours := f.label(path)
	s := Store{Label: label, Path: path, Ours: ours}
	if path == "" {
		s.Label = "the JDK's cacerts"
	} else if from != "" {
		s.Var = from
		s.Inherited = !env.Plan[from]
	}
	if f.Java != nil {
		s.Certs, s.Err = f.Java(path)
	}
	c.Stores = []Store{s}
	return c
}
