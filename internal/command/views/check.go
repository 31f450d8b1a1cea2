package views

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trustform/trustform/internal/certfetch"
	"github.com/trustform/trustform/internal/trustcheck"
	"github.com/trustform/trustform/plan"
)

// Check is what `trustform check` prints: the chain and one resource's
// verdict per client, a line per resource with -all, or one JSON document
// with -json.
type Check struct {
	v         *View
	json, all bool
}

// NewCheck returns the check view the flags ask for.
func NewCheck(v *View, json, all bool) *Check { return &Check{v: v, json: json, all: all} }

// Header says where check connected and which chain the server presented
// (for one resource, human only).
func (c *Check) Header(res *certfetch.Result, now time.Time) {
	if !c.all && !c.json {
		writeCheckHeader(c.v.Out, res, now)
	}
}

// Report prints the verdicts; it reports a failure to write them itself
// and says so with false.
func (c *Check) Report(rep CheckReport) bool {
	switch {
	case c.json:
		enc := json.NewEncoder(c.v.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			c.v.Errorf("writing the report: %v", err)
			return false
		}
	case c.all:
		writeCheckLines(c.v.Out, rep)
	default:
		writeCheckResource(c.v.Out, rep.Resources[0])
	}
	return true
}

// CheckedResource is one resource's verdicts.
type CheckedResource struct {
	Address  string              `json:"address"`
	Type     string              `json:"type"`
	Scope    string              `json:"trust_scope"`
	TrustSet string              `json:"trust_set,omitempty"`
	Trusted  bool                `json:"trusted"`
	Results  []trustcheck.Result `json:"results"`
	// Inherited is what the plan decided about the trust variables the
	// resource inherits, which decide the stores its clients read.
	Inherited []plan.InheritedVar `json:"inherited,omitempty"`
}

// CheckChainCert is one certificate of the presented chain in -json.
type CheckChainCert struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	SHA256   string    `json:"sha256"`
	NotAfter time.Time `json:"not_after"`
}

// CheckReport is the -json document.
type CheckReport struct {
	Target    string            `json:"target"`
	Proxy     string            `json:"proxy,omitempty"`
	Chain     []CheckChainCert  `json:"chain"`
	Trusted   bool              `json:"trusted"`
	Resources []CheckedResource `json:"resources"`
}

// writeCheckHeader says where check connected and what chain it got.
func writeCheckHeader(w io.Writer, res *certfetch.Result, now time.Time) {
	if res.Proxy != nil {
		fmt.Fprintf(w, "Connected to %s through the proxy %s (from %s), %s.\n", res.Target.Addr(), res.Proxy.URL.Redacted(), res.Proxy.Var, tls.VersionName(res.Version))
	} else {
		fmt.Fprintf(w, "Connected to %s directly, %s.\n", res.Target.Addr(), tls.VersionName(res.Version))
	}
	fmt.Fprintf(w, "The server presented %d %s:\n", len(res.Chain), Plural(len(res.Chain), "certificate", "certificates"))
	for i, c := range res.Chain {
		fmt.Fprintf(w, "  [%d] %s\n      issuer %s, expires %s\n", i, c.Subject, c.Issuer, Expiry(c, now))
	}
	fmt.Fprintln(w)
}

// writeCheckResource is one resource's verdict per client, with why.
func writeCheckResource(w io.Writer, cr CheckedResource) {
	set := "no trust set"
	if cr.TrustSet != "" {
		set = "trust set " + cr.TrustSet
	}
	fmt.Fprintf(w, "%s (%s, scope %s, %s)\n", cr.Address, cr.Type, cr.Scope, set)
	if len(cr.Inherited) > 0 {
		fmt.Fprintln(w, "  Inherited trust variables, as the plan decided:")
		for _, v := range cr.Inherited {
			what := v.Action
			if v.Result != "" && v.Result != v.Value {
				what += " -> " + v.Result
			}
			if v.Into != "" {
				what += " (into " + v.Into + ")"
			}
			from := "trustform's environment"
			if v.From == plan.FromEnv {
				from = "the resource's env"
			}
			fmt.Fprintf(w, "    %s=%s (from %s): %s\n", v.Name, v.Value, from, what)
		}
	}
	for _, r := range cr.Results {
		fmt.Fprintln(w)
		if r.Trusted {
			fmt.Fprintf(w, "  %s: trusted\n", r.Client)
		} else {
			fmt.Fprintf(w, "  %s: NOT TRUSTED (%s)\n", r.Client, r.Kind)
		}
		fmt.Fprintf(w, "    %s\n", r.Reason)
		if r.Fix != "" {
			fmt.Fprintf(w, "    Fix: %s\n", r.Fix)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "    Note: %s.\n", r.Note)
		}
	}
	fmt.Fprintln(w)
	if cr.Trusted {
		fmt.Fprintf(w, "%s trusts %s.\n", cr.Address, "this server")
	} else {
		fmt.Fprintf(w, "%s does not trust this server.\n", cr.Address)
	}
}

// writeCheckLines is check -all: a line per resource.
func writeCheckLines(w io.Writer, rep CheckReport) {
	width := 0
	for _, cr := range rep.Resources {
		width = max(width, len(cr.Address))
	}
	for _, cr := range rep.Resources {
		var worst trustcheck.Result
		for _, r := range cr.Results {
			worst = r
			if !r.Trusted {
				break
			}
		}
		if cr.Trusted {
			fmt.Fprintf(w, "%-*s  trusted      %s\n", width, cr.Address, strings.TrimSuffix(worst.Reason, "."))
		} else {
			fmt.Fprintf(w, "%-*s  NOT TRUSTED  %s: %s\n", width, cr.Address, worst.Client, strings.TrimSuffix(worst.Reason, "."))
		}
	}
}
