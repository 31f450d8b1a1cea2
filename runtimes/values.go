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
	// MustExist asks the planner to check, before anything starts, that the
	// path exists (relative to working_dir when not absolute), so a typo
	// fails the plan instead of a process dying after apply.
	MustExist bool
	// Default applies when the argument is absent; empty means none.
	Default string
}

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
