package state

import (
	"errors"
	"time"

	"github.com/trustform/trustform/runtimes"
)

// Version is the state file format version this build writes. A file with a
// higher version is refused, never overwritten.
const Version = 2

// State is the content of .trustform/state.json.
//
// Invariants: Resources is sorted by Address and holds one entry per address;
// Serial grows by one on every save that changes anything; Lineage never
// changes once set (a new state gets a random lineage).
type State struct {
	Version          int    `json:"version"`
	TrustformVersion string `json:"trustform_version"`
	Serial           uint64 `json:"serial"`
	Lineage          string `json:"lineage"`
	// Dir is the absolute configuration directory the state belongs to,
	// and Host the machine's name: a state copied along with its project
	// (cp -r app app2) is recognised by them (see CopiedFrom). Empty in
	// states written before they were recorded.
	Dir       string             `json:"dir,omitempty"`
	Host      string             `json:"host,omitempty"`
	Resources []*Resource        `json:"resources"`
	Outputs   map[string]*Output `json:"outputs,omitempty"`

	// recovered counts the journal entries Load replayed on top of the
	// file; such a state differs from the file with the same serial.
	recovered int
	// unsaved is set by Upsert and Remove and cleared by Save, so
	// OpenJournal knows to save changes made before it.
	unsaved bool
	// materials is the material table of the file at materialsOf, as
	// Load read it or Save wrote it, so a journal started on that file
	// references those materials instead of repeating them.
	materials   map[string]*material
	materialsOf string
	// journalDigest is the SHA-256 of the journal Load replayed, if any.
	journalDigest string
	// replaces is the lineage of the copied state this one starts
	// over (ForCopy): Save overwrites a file of that lineage.
	replaces string
}

// Resource is one launched resource as state records it.
type Resource struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	// Spec is what the resource was launched with (the plan's After).
	Spec *Spec `json:"spec"`
	// Handle names the process or container.
	Handle runtimes.Handle `json:"handle"`
	// Since is when it was started.
	Since time.Time `json:"since"`
	// Tainted marks a resource that was started but never confirmed ready
	// (its ready_when failed, or apply died while waiting): it is recorded
	// so destroy can stop it, and the next plan replaces it, as Terraform
	// does with a resource whose creation failed half-way.
	Tainted bool `json:"tainted,omitempty"`
	// CreatedPaths lists every file and directory apply created for this
	// resource (trust material, log), so destroy removes exactly those.
	CreatedPaths []string `json:"created_paths,omitempty"`
}

// Output is one output value recorded after apply.
type Output struct {
	// Value is the JSON encoding of the value, with its cty type in Type.
	Value     []byte `json:"value"`
	Type      []byte `json:"type"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// Spec is the complete description of what one resource is launched with:
// argv, environment additions, trust files. The planner builds it; apply
// executes it; diffing two Specs decides create / update / replace.
type Spec struct {
	Kind       runtimes.Kind `json:"kind"`
	Argv       []string      `json:"argv"`
	WorkingDir string        `json:"working_dir"`
	// Env holds the variables set on top of trustform's own environment:
	// the resource's env, the trust variables and the configuration block's.
	Env map[string]string `json:"env"`
	// SensitiveEnv names Env keys whose values must be masked in output;
	// SensitiveArgs lists indexes of Argv likewise.
	SensitiveEnv  []string `json:"sensitive_env,omitempty"`
	SensitiveArgs []int    `json:"sensitive_args,omitempty"`

	Scope runtimes.Scope `json:"trust_scope"`
	// TrustDir is the host directory of the trust material (empty when the
	// resource gets none).
	TrustDir string `json:"trust_dir,omitempty"`
	// TrustSet is the readable name of the trust set in TrustDir, for
	// display; the directory, not the name, identifies the set.
	TrustSet string `json:"trust_set,omitempty"`
	// Files, like Certificates, is shared by every spec of one trust set.
	Files []File `json:"files,omitempty"`
	// Certificates may be shared with other specs (Load gives every
	// resource of the same trust material one slice, as the planner does):
	// never modify its elements, assign a new slice instead.
	Certificates []Certificate `json:"certificates,omitempty"`

	LogPath     string        `json:"log_path,omitempty"`
	StopTimeout time.Duration `json:"stop_timeout"`
	// StartPeriod is how long apply watches the resource after starting it
	// before it counts as created; zero (also in states and plans written
	// before start_period existed) means apply only watches it until the
	// end of the run.
	StartPeriod time.Duration `json:"start_period,omitempty"`
	ReadyWhen   *ReadyWhen    `json:"ready_when,omitempty"`
	DependsOn   []string      `json:"depends_on,omitempty"`
	// Watch is the resource's watch argument (absolute paths and glob
	// patterns): up -watch replaces the resource when one changes. The
	// process never sees it, so a change is an in-place update.
	Watch []string `json:"watch,omitempty"`
	// Restart is the restart policy `trustform up` honours when the
	// resource ends: "no" (also when empty), "on-failure" or "always".
	// apply ignores it: detached resources are not watched once apply
	// returns.
	Restart string `json:"restart,omitempty"`

	Container *runtimes.ContainerLaunch `json:"container,omitempty"`
}

// File is one file of trust material. Content lives in the plan's blob pool
// keyed by SHA256, so a bundle shared by a thousand resources is held once.
type File struct {
	// Path is absolute on the host.
	Path string `json:"path"`
	Mode uint32 `json:"mode"`
	// SHA256 of the content; empty for symlinks.
	SHA256 string `json:"sha256,omitempty"`
	// Link, when set, makes this a relative symlink to Link.
	Link string `json:"link,omitempty"`
}

// Certificate is the summary of one trusted certificate shown in plans.
type Certificate struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	SHA256   string    `json:"sha256"`
	NotAfter time.Time `json:"not_after"`
	Source   string    `json:"source,omitempty"`
}

// ReadyWhen is the readiness check of a resource.
type ReadyWhen struct {
	TCP     string        `json:"tcp,omitempty"`
	HTTP    string        `json:"http,omitempty"`
	Timeout time.Duration `json:"timeout"`
}

// ErrNoState is returned by Load when no state file exists.
var ErrNoState = errors.New("no state")

// JournalDigest identifies the journal Load replayed on top of the state
// file: empty when there was none. Two states with the same serial are the
// same only if this matches too, because a journal still being written by
// a running apply replays to the serial that apply will save at the end.
func (s *State) JournalDigest() string {
	if s == nil {
		return ""
	}
	return s.journalDigest
}
