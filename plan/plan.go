package plan

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/deferred"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
	"github.com/trustform/trustform/state"
)

// FormatVersion is the plan JSON format version.
// 1.1 added trust_sets and each resource's trust_set.
const FormatVersion = "1.1"

// StateFormatVersion is the format version of show -json of the state,
// whose resources still list their own certificates and files.
const StateFormatVersion = "1.0"

// Action is what apply will do to one resource.
type Action string

// Actions. Replace is shown as ["delete","create"] in JSON.
const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace"
	Delete  Action = "delete"
)

// Plan is a self-contained description of what apply will do: all argv, env
// and file contents are resolved, so apply never reads HCL.
//
// Invariants: Changes is sorted by Address; every File.SHA256 in any After
// spec has its content in Blobs; Lineage and Serial are those of the state
// the plan was made against (Lineage empty when there was no state).
type Plan struct {
	FormatVersion    string    `json:"format_version"`
	TrustformVersion string    `json:"trustform_version"`
	CreatedAt        time.Time `json:"created_at"`
	// Dir is the absolute configuration directory.
	Dir     string `json:"dir"`
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
	// StateJournal is the digest of the state journal replayed when the
	// plan was made (state.JournalDigest), empty when none was: a plan
	// made while another run was changing state is stale once it ends.
	StateJournal string   `json:"state_journal,omitempty"`
	ConfigDigest string   `json:"config_digest"`
	Destroy      bool     `json:"destroy,omitempty"`
	Targets      []string `json:"targets,omitempty"`
	// Replace lists the -replace addresses the plan was made with; the
	// changes already say what they select.
	Replace []string `json:"replace,omitempty"`
	// ContainerRuntime is the trustform block's setting.
	ContainerRuntime string `json:"container_runtime,omitempty"`

	// TrustSets lists each trust set the plan's resources receive (and each
	// one they stop receiving, Action SetDelete) once, sorted by Name.
	TrustSets []*TrustSet     `json:"trust_sets,omitempty"`
	Changes   []*Change       `json:"changes"`
	Drift     []*Drift        `json:"drift,omitempty"`
	Outputs   []*OutputChange `json:"outputs,omitempty"`
	Devcert   DevcertPlan     `json:"devcert"`
	// EnvRead lists every env() value the configuration read.
	EnvRead map[string]string `json:"env_read,omitempty"`
	// Blobs holds file contents by SHA-256 hex, each once.
	Blobs map[string][]byte `json:"blobs"`
	// Warnings are non-fatal diagnostics, already rendered to text.
	Warnings []Warning `json:"warnings,omitempty"`

	// Bundles are the files outside trustform whose certificates the plan
	// merged (inherited trust variables naming the system bundle, say). A
	// plan file stores each by path and digest instead of its
	// certificates, and reading the file reads them again (see WriteFile).
	Bundles []BundleFile `json:"-"`
	// StaleBundles is set, on a plan read from a file, when such a file
	// changed or vanished since: CheckApplicable refuses the plan.
	StaleBundles error `json:"-"`
}

// BundleFile is a certificate file the plan read and merged.
type BundleFile struct {
	Path string `json:"path"`
	// SHA256 is the digest of the file's content when the plan was made.
	SHA256 string `json:"sha256"`
	// Keys are the blob keys of its certificates' normalised PEM.
	Keys []string `json:"-"`
}

// Warning is a non-fatal problem found while planning.
type Warning struct {
	Summary string `json:"summary"`
	Detail  string `json:"detail,omitempty"`
	// Subject is "file:line:col" when known.
	Subject string `json:"subject,omitempty"`
	// Range is the source range Subject was made from, when known.
	Range *hcl.Range `json:"range,omitempty"`
}

// Change is the planned action for one resource address.
//
// Before is nil for Create; After is nil for Delete. For NoOp and Update
// both are set and Handle is the running resource's. Reasons lists, for
// Replace, the attribute paths that force it (e.g. "env.LOG_LEVEL",
// "certificates"), and for Create after drift, "drift".
type Change struct {
	Address string          `json:"address"`
	Type    string          `json:"type"`
	Name    string          `json:"name"`
	Action  Action          `json:"action"`
	Before  *state.Spec     `json:"before,omitempty"`
	After   *state.Spec     `json:"after,omitempty"`
	Handle  runtimes.Handle `json:"handle"`
	Reasons []string        `json:"reasons,omitempty"`
	// Inherited lists the documented trust variables the resource would
	// have had without trustform and what was done with each.
	Inherited []InheritedVar `json:"inherited,omitempty"`
	// ActionReason says why, for a Delete outside a -destroy plan (the
	// resource or its instance key left the configuration) and for a
	// Replace (tainted, or something the process sees changed).
	ActionReason ActionReason `json:"action_reason,omitempty"`
	// DevcertPending is set when After trusts a development CA that apply
	// will create; its certificate appears in After once created, which
	// Plan.ResolveDevcert does from Pending.
	DevcertPending bool `json:"devcert_pending,omitempty"`
	// Pending is the recipe ResolveDevcert uses to finish After's trust
	// files once the development CA exists; nil unless DevcertPending.
	Pending *PendingTrust `json:"pending_trust,omitempty"`
	// DependsOnDestroyed is, for a Delete of a targeted destroy that was not
	// itself targeted, the destroyed resource it depends on;
	// DependencyTargeted says whether that one was named by -target.
	DependsOnDestroyed string `json:"depends_on_destroyed,omitempty"`
	DependencyTargeted bool   `json:"dependency_targeted,omitempty"`
}

// Drift is a resource in state that refresh found not running.
type Drift struct {
	Address string          `json:"address"`
	Status  runtimes.Status `json:"status"`
	Handle  runtimes.Handle `json:"handle"`
}

// OutputChange is the planned value of one output. Value is JSON; Unknown
// means known only after apply.
type OutputChange struct {
	Name      string `json:"name"`
	Action    Action `json:"action"`
	Before    []byte `json:"before,omitempty"`
	After     []byte `json:"after,omitempty"`
	Type      []byte `json:"type,omitempty"`
	Unknown   bool   `json:"unknown,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// Template, for an Unknown output, computes After from the pid,
	// container_id and since apply records, so apply sets the output
	// without reading HCL; Type is then the type to convert it to. Nil
	// when the output cannot be computed that way (apply leaves it unset).
	Template *deferred.Template `json:"template,omitempty"`
	// AfterDevcert marks an output whose value names the directory of a
	// trust set still waiting for the development CA. That directory is
	// named by the set's content, so it moves when apply creates the CA
	// (ResolveDevcert moves After with it): plans show the value as known
	// after apply.
	AfterDevcert bool `json:"after_devcert,omitempty"`
}

// DevcertPlan says which developer certificates were used and whether apply
// must create trustform's development CA first.
type DevcertPlan struct {
	Create bool            `json:"create"`
	Dir    string          `json:"dir"`
	Used   []DevcertSource `json:"used,omitempty"`
}

// DevcertSource is one developer certificate found on the machine.
type DevcertSource struct {
	// Kind is "trustform", "aspnet" or "mkcert".
	Kind    string `json:"kind"`
	Path    string `json:"path"`
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
}

// Input is everything Build needs. The caller (a command) gathers it; Build
// does no I/O of its own except through the functions given here.
type Input struct {
	Config *lang.Config
	// State is the current state; nil or empty when there is none.
	State *state.State
	// Refreshed maps addresses to what refresh found; nil when refresh was
	// skipped (-refresh=false).
	Refreshed map[string]runtimes.Status
	Destroy   bool
	Targets   []string
	// Replace are -replace addresses: running resources to replace even
	// though nothing about them changed.
	Replace []string
	Host    Host
	Devcert DevcertInput
	Now     time.Time
	Version string
	// Prefetched holds files read ahead of Build (PrefetchBundles); nil
	// when there are none.
	Prefetched *Prefetched
}

// Host is what the planner may know of the machine.
type Host struct {
	GOOS string
	// Environ is trustform's own environment, the base every process
	// inherits; it decides inherited SSL_CERT_DIR, NODE_OPTIONS and so on.
	Environ map[string]string
	// SystemRoots returns the system root certificates; called at most once,
	// and only when some resource uses system scope.
	SystemRoots func() ([]*pem.Certificate, error)
	// SystemCertDirs are the system certificate directories that exist.
	SystemCertDirs []string
	// ReadFile reads a user-named file (a NODE_EXTRA_CA_CERTS the user set).
	ReadFile func(path string) ([]byte, error)
	// JavaRoots returns the JDK's default trusted certificates (its cacerts),
	// added to Java trust stores in append and system scope; called at most
	// once. When nil, SystemRoots is used instead.
	JavaRoots func() ([]*pem.Certificate, error)
}

// DevcertInput describes the developer certificates on the machine.
type DevcertInput struct {
	Dir string
	// CA is trustform's development CA, nil when it does not exist yet.
	CA *pem.Certificate
	// Found are ASP.NET Core and mkcert certificates discovered.
	Found []FoundCert
}

// FoundCert is a developer certificate discovered on the machine.
type FoundCert struct {
	Kind string
	Path string
	Cert *pem.Certificate
}
