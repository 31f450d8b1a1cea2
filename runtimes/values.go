package runtimes

// Attr is one type-specific resource argument of a row's schema. Every
// argument is a string or a list of strings.
type Attr struct {
	Name string
	// List makes the argument a list of strings.
	List     bool
	Required bool
	// Path marks a file path made absolute against the configuration
	// directory.
	Path bool
	// MustExist asks validate and plan to check, before anything starts,
	// that what the argument names exists, so a typo fails the plan
	// instead of a process dying after apply. What "exists" means depends
	// on how the runtime reads the argument.
	MustExist Existence
	// DirEntries, for an ExistFile argument, accept a directory holding
	// one of these names, which is how the runtime runs a directory
	// (node web/ runs web/index.js or package.json's main; python3 app/
	// runs app/__main__.py).
	DirEntries []string
	// Default applies when the argument is absent; empty means none.
	Default string
}

// Existence says what must exist on disk for an argument to be runnable.
type Existence int

// What validate and plan check.
const (
	// ExistNone checks nothing.
	ExistNone Existence = iota
	// ExistFile: the absolute path (made so against the configuration
	// directory) is a file, or a directory holding one of DirEntries.
	ExistFile
	// ExistGoPackage: go run's package, when it is a local directory
	// (".", "./x", "../x" or absolute, relative to working_dir), is a
	// directory holding .go files. An import path such as
	// example.com/cmd/x@latest is resolved by go and not checked.
	ExistGoPackage
	// ExistPythonModule: python -m's dotted module, when its top-level
	// package or module is in working_dir (which python -m puts first on
	// sys.path), resolves there. A module found elsewhere (the standard
	// library, site-packages, PYTHONPATH) is not checked.
	ExistPythonModule
)

// Values are a resource's type-specific argument values, the program
// override included, with defaults filled in. The zero value is empty and
// ready to use.
type Values struct {
	Strings map[string]string
	Lists   map[string][]string
}

// Str returns a string argument, "" when unset.
func (v Values) Str(name string) string { return v.Strings[name] }

// List returns a list argument, nil when unset.
func (v Values) List(name string) []string { return v.Lists[name] }

// SetStr sets a string argument.
func (v *Values) SetStr(name, s string) {
	if v.Strings == nil {
		v.Strings = map[string]string{}
	}
	v.Strings[name] = s
}

// SetList sets a list argument.
func (v *Values) SetList(name string, l []string) {
	if v.Lists == nil {
		v.Lists = map[string][]string{}
	}
	v.Lists[name] = l
}

// FormError says that a resource's arguments do not form a way to launch
// it. With Attr and Other set, the two arguments conflict (the error points
// at Attr); otherwise something is missing and How says what.
type FormError struct {
	Attr, Other string
	How         string
}

// Attr returns the row's schema entry for name, if any.
func (r *Runtime) Attr(name string) (Attr, bool) {
	for _, a := range r.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	if r.ProgramAttr != "" && name == r.ProgramAttr {
		return Attr{Name: name, Default: r.Program}, true
	}
	return Attr{}, false
}
