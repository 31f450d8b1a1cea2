package lang

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/deferred"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/runtimes"
)

// Options control Load. Everything that varies between machines or runs is
// passed in, so tests fix it.
type Options struct {
	// Vars are -var and -var-file flags in command-line order.
	Vars []VarFlag
	// Environ is the environment (KEY=VALUE) used for TRUSTFORM_VAR_*,
	// TRUSTFORM_DEVELOPER_CERTIFICATE_TRUST and the env() function.
	Environ []string
	// DevcertDir is where the development CA lives; devcert.* references
	// evaluate to paths inside it whether or not it exists yet.
	DevcertDir string
	// Now is the time certificate validity is checked against.
	Now time.Time
	// GOOS selects per-OS defaults (dotnet_project on windows).
	GOOS string
	// Ask, when set, is called for each required variable that has no
	// value from any source, in name order, and returns what the user
	// typed; it is read like a -var value. Nil: such a variable is an error
	// (or, with AllowUnset, left unset).
	Ask func(VariablePrompt) (string, error)
	// AllowUnset leaves a required variable without a value unset instead
	// of failing, as Terraform's validate does: whatever refers to it is
	// not evaluated (its syntax, names and references are still checked).
	AllowUnset bool
}

// VariablePrompt is what Options.Ask is asked for: a variable's name and
// its description ("" when it has none).
type VariablePrompt struct {
	Name, Description string
}

// VarFlag is one -var NAME=VALUE (Name and Value set) or -var-file=FILE
// (File set).
type VarFlag struct {
	Name, Value string
	File        string
}

// Config is an evaluated configuration directory.
type Config struct {
	// Dir is the absolute configuration directory (path.root).
	Dir string
	// Files holds every parsed file by name, for diagnostic rendering.
	Files map[string]*hcl.File
	// Settings from the trustform block, with environment overrides applied.
	Settings Settings
	// Variables by name, with their final values.
	Variables map[string]*Variable
	// Collections by name, certificates parsed, normalised and de-duplicated.
	Collections map[string]*Collection
	// Resources sorted by address.
	Resources []*Resource
	// ResourceBlocks maps every evaluated resource block (TYPE.NAME) to how
	// its instances are keyed, including a count = 0 block that has none,
	// so the planner can say why an instance in state is deleted.
	ResourceBlocks map[string]addrs.KeyKind
	// Outputs sorted by name.
	Outputs []*Output
	// EnvRead records every env(NAME) call and the value it returned, so the
	// plan can show what it depended on.
	EnvRead map[string]string
	// Inputs lists, absolute and sorted, the files and glob patterns the
	// evaluation read besides Files: paths given to file() and
	// fileexists(), and collections' files patterns. up -watch re-plans
	// when one of them changes.
	Inputs []string
}

// Settings is the trustform block.
type Settings struct {
	DeveloperCertificateTrust bool
	// ContainerRuntime is auto, docker or podman.
	ContainerRuntime string
	DeclRange        hcl.Range
}

// Variable is one declared variable. Value is the final value without cty
// marks (so AsString never panics); Sensitive says it must be hidden.
type Variable struct {
	Name        string
	Description string
	Sensitive   bool
	Type        cty.Type
	Value       cty.Value
	DeclRange   hcl.Range
}

// Collection is one certificate_authority_collection.
type Collection struct {
	Name         string
	Certificates []*pem.Certificate
	DeclRange    hcl.Range
}

// Resource is one evaluated resource block. Fields that do not apply to
// Type are zero. All paths are absolute.
type Resource struct {
	Type, Name string
	// Key is the instance key when the block sets count or for_each.
	Key addrs.Key
	// Address is TYPE.NAME, TYPE.NAME[0] (count) or TYPE.NAME["key"]
	// (for_each).
	Address   string
	DeclRange hcl.Range
	Runtime   *runtimes.Runtime

	// Attrs holds the type's own arguments (Runtime.Attrs) and the program
	// override (Runtime.ProgramAttr), defaults filled in; path arguments are
	// absolute. Fields and rows that do not apply to Type are absent.
	Attrs runtimes.Values
	// AttrRanges gives, per argument in Attrs (and env) that was written
	// in the block, where its value is, for diagnostics about it.
	AttrRanges map[string]hcl.Range
	// ElemRanges gives, per list argument written as a list literal
	// (jvm_args = ["...", "..."]), where each element is.
	ElemRanges     map[string][]hcl.Range
	ContainerPaths ContainerPaths
	// envExpr is the env argument's expression, for EnvRange.
	envExpr hcl.Expression

	Args       []string
	Env        map[string]string
	WorkingDir string
	// SensitiveArgs and SensitiveEnv mark values derived from sensitive
	// variables (indexes into Args, keys of Env).
	SensitiveArgs []int
	SensitiveEnv  []string
	// SensitiveAttrs names other arguments (command, script, image,
	// ports, ...) whose value is derived from a sensitive variable.
	SensitiveAttrs []string

	// Watch is the watch argument: absolute, cleaned paths or glob
	// patterns whose change makes up -watch replace this resource.
	Watch []string
	// Restart is the restart argument: RestartNo, RestartOnFailure or
	// RestartAlways.
	Restart string

	StopTimeout time.Duration
	// StartPeriod is start_period: apply fails the resource when it exits
	// within this long of starting (and watches it to the end of the run).
	StartPeriod time.Duration
	ReadyWhen   *ReadyWhen

	// DependsOn lists the addresses this resource depends on, explicit
	// (depends_on) and implicit (references), sorted and unique.
	DependsOn []string
	// DependsOnRanges gives, per address in DependsOn, where the dependency
	// was declared.
	DependsOnRanges map[string]hcl.Range

	// Collections names the collections in the order listed.
	Collections               []string
	DeveloperCertificateTrust bool
	// Scope is certificate_trust_scope, or the runtime default.
	Scope runtimes.Scope
	// ScopeSet reports whether the user set the scope.
	ScopeSet bool
	// TrustConfiguration is nil when the block is absent.
	TrustConfiguration *TrustConfiguration
	// Trust holds the values trust.* evaluated to inside this resource.
	Trust TrustValues
}

// ContainerPaths is the resolved container_certificate_paths (defaults
// filled in).
type ContainerPaths struct {
	Destination    string
	BundlePaths    []string
	DirectoryPaths []string
}

// TrustConfiguration is certificate_trust_configuration.
type TrustConfiguration struct {
	Arguments   []string
	Environment map[string]string
	// SensitiveArguments and SensitiveEnvironment mark values derived from
	// sensitive variables (indexes into Arguments, keys of Environment).
	SensitiveArguments   []int
	SensitiveEnvironment []string
	DeclRange            hcl.Range
}

// TrustValues are the trust.* values of one resource: host paths for
// processes, in-container paths for containers. When the resource gets no
// trust (scope none, or no certificates) Scope is "none" and the paths are
// empty.
type TrustValues struct {
	Scope           runtimes.Scope
	BundlePath      string
	DirectoriesPath string
}

// ReadyWhen is the readiness check.
type ReadyWhen struct {
	TCP     string
	HTTP    string
	Timeout time.Duration
}

// Output is one output block. Value may be unknown when it depends on
// values only apply knows (pid, container_id). Value carries no cty marks;
// Load refuses an output derived from a sensitive variable unless
// Sensitive is set.
type Output struct {
	Name        string
	Description string
	Sensitive   bool
	Value       cty.Value
	// Template, set when Value is not wholly known, computes the value
	// from the pid, container_id and since of resources once apply knows
	// them; nil when the output computes with those values in a way a
	// template cannot carry (it then stays unknown).
	Template  *deferred.Template
	DeclRange hcl.Range
}

// Program is the interpreter or tool of a PROGRAM ... runtime (node,
// python, npm, dotnet, java, go, ruby, deno, bun): the argument named by
// Runtime.ProgramAttr, else the runtime's default; "" for executable and
// container.
func (r *Resource) Program() string {
	if r.Runtime == nil || r.Runtime.ProgramAttr == "" {
		return ""
	}
	if p := r.Attrs.Str(r.Runtime.ProgramAttr); p != "" {
		return p
	}
	return r.Runtime.Program
}

// ResolveTrust decides whether r's trust is changed and where its material
// lives, from its scope, developer certificate trust and collections. It is
// the one place that decision is made: lang calls it before trust.* is
// evaluated, and the planner reads r.Trust. Scope none, or no certificate
// at all (no developer certificate and only empty collections), means no
// change: Trust.Scope is none and the paths are empty.
func (r *Resource) ResolveTrust(configDir string, collections map[string]*Collection) {
	r.Trust = TrustValues{Scope: runtimes.ScopeNone}
	if r.Scope == runtimes.ScopeNone || r.Scope == "" {
		return
	}
	has := r.DeveloperCertificateTrust
	for _, name := range r.Collections {
		if c := collections[name]; c != nil && len(c.Certificates) > 0 {
			has = true
		} else if c == nil {
			// An undeclared collection is reported by the planner; the
			// resource still asks for trust.
			has = true
		}
	}
	if !has {
		return
	}
	r.Trust.Scope = r.Scope
	if r.Runtime != nil && r.Runtime.Kind == runtimes.KindContainer {
		r.Trust.BundlePath = layout.ContainerBundlePath(r.ContainerPaths.Destination)
		r.Trust.DirectoriesPath = layout.ContainerCertsDir(r.ContainerPaths.Destination)
		return
	}
	r.Trust.BundlePath = layout.BundlePath(configDir, r.Address)
	r.Trust.DirectoriesPath = layout.CertsDir(configDir, r.Address)
}
