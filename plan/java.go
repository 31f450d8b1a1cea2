package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/sysroots"
	"github.com/trustform/trustform/lang"
	"github.com/trustform/trustform/runtimes"
)

// FromJvmArgs says a Java trust store property was in the resource's
// jvm_args.
const FromJvmArgs = "jvm_args"

const (
	javaPropPrefix    = "javax.net.ssl.trustStore"
	javaTrustStore    = "javax.net.ssl.trustStore"
	javaStorePassword = "javax.net.ssl.trustStorePassword"
	javaStoreType     = "javax.net.ssl.trustStoreType"
)

// javaOptionSources are where the JVM reads -D options, in the order it
// applies them: JAVA_TOOL_OPTIONS, then JDK_JAVA_OPTIONS (the java launcher
// puts it before the command line), then the command line (jvm_args), then
// _JAVA_OPTIONS. For a property set twice, the last wins, so a trust store
// in any of them would replace trustform's (issue 13: one in jvm_args won
// while the plan listed our CA as trusted).
func javaOptionSources() []string {
	return []string{"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", FromJvmArgs, "_JAVA_OPTIONS"}
}

// javaSetting is one place that set trust store properties.
type javaSetting struct {
	where string // an option variable, or FromJvmArgs
	from  string // FromEnv, FromEnvironment or FromJvmArgs
	value string // the variable's inherited value
	rng   hcl.Range
	props map[string]string
}

// javaTrust is what the user's Java trust store settings became.
type javaTrust struct {
	// options holds the option variables whose trust store properties
	// were removed, with what is left of them.
	options map[string]string
	// jvmArgs is jvm_args without trust store properties; nil when they
	// had none.
	jvmArgs []string
	// store is the user's trust store, read to be merged into ours; nil
	// when no setting names one.
	store *sysroots.JavaStore
}

// javaUserTrust finds trust store properties a java_app inherits or sets,
// removes them so ours is the store the JVM uses, and reads the store they
// named so that, in append and system scope, its certificates go into
// ours. In override a user store is an error: the JVM reads one store, and
// override trusts only what the configuration names.
func (p *planner) javaUserTrust(r *lang.Resource, scope runtimes.Scope, workDir, ours string) (*javaTrust, []InheritedVar, hcl.Diagnostics) {
	var settings []javaSetting
	jt := &javaTrust{}
	for _, src := range javaOptionSources() {
		if src == FromJvmArgs {
			args := r.Attrs.List("jvm_args")
			kept, props := stripJavaTrust(args)
			if len(props) == 0 {
				continue
			}
			jt.jvmArgs = kept
			rng := r.DeclRange
			if ar, ok := r.AttrRanges["jvm_args"]; ok {
				rng = ar
			}
			// Point at the trustStore element when the list is written
			// out element by element.
			if er := r.ElemRanges["jvm_args"]; len(er) == len(args) {
				for i, a := range args {
					if k, _, ok := javaTrustProp(a); ok && k == javaTrustStore {
						rng = er[i]
					}
				}
			}
			settings = append(settings, javaSetting{where: src, from: FromJvmArgs, rng: rng, props: props})
			continue
		}
		prev, from, had := p.inherited(r, src)
		if !had {
			continue
		}
		raw := splitJavaOptions(prev)
		keptRaw := raw[:0:0]
		props := map[string]string{}
		for _, tok := range raw {
			if k, v, ok := javaTrustProp(unquote(tok)); ok {
				props[k] = v
				continue
			}
			keptRaw = append(keptRaw, tok)
		}
		if len(props) == 0 {
			continue
		}
		if jt.options == nil {
			jt.options = map[string]string{}
		}
		jt.options[src] = strings.Join(keptRaw, " ")
		rng := r.DeclRange
		if from == FromEnv {
			if er, ok := r.EnvRange(src); ok {
				rng = er
			} else if ar, ok := r.AttrRanges["env"]; ok {
				rng = ar
			}
		}
		settings = append(settings, javaSetting{where: src, from: from, value: prev, rng: rng, props: props})
	}
	if len(settings) == 0 {
		return nil, nil, nil
	}
	// The effective properties: later sources win, property by property.
	eff := map[string]string{}
	last := -1
	for i, s := range settings {
		for k, v := range s.props {
			eff[k] = v
		}
		if _, ok := s.props[javaTrustStore]; ok {
			last = i
		}
	}
	var decided []InheritedVar
	for src, rest := range jt.options {
		if src == "JAVA_TOOL_OPTIONS" {
			continue // decided with trustform's own value (processTrustEnv)
		}
		for _, s := range settings {
			if s.where == src {
				decided = append(decided, InheritedVar{Name: src, From: s.from, Value: maskJavaPassword(s.value), Action: ActionReplaced, Result: rest})
			}
		}
	}
	if last < 0 {
		// Only a password or type, for the JDK's default store: they
		// would apply to ours instead, so they are dropped, and the
		// default roots are merged as without them.
		return jt, decided, nil
	}
	var diags hcl.Diagnostics
	path := eff[javaTrustStore]
	where := func(s javaSetting) string {
		switch s.from {
		case FromJvmArgs:
			return "in jvm_args"
		case FromEnv:
			return "in env." + s.where
		}
		return "in " + s.where + " of trustform's environment"
	}
	if scope == runtimes.ScopeOverride {
		for _, s := range settings {
			sp, ok := s.props[javaTrustStore]
			if !ok {
				continue
			}
			rng := s.rng
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Java trust store contradicts the trust scope",
				Detail: fmt.Sprintf("%s sets -D%s=%s %s, but certificate_trust_scope \"override\" trusts only the configuration's certificate authorities, and the JVM reads a single trust store: yours or trustform's. "+
					"Remove the javax.net.ssl.trustStore options and put the CAs you need in a certificate_authority_collection (keytool -exportcert -rfc -keystore %s -alias NAME > ca.pem), or use scope \"append\" or \"system\", which merge your store into trustform's.",
					r.Address, javaTrustStore, sp, where(s), sp),
				Subject: &rng,
			})
		}
		return nil, nil, diags
	}
	src := settings[last]
	fail := func(why string) (*javaTrust, []InheritedVar, hcl.Diagnostics) {
		rng := src.rng
		return nil, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot merge the Java trust store",
			Detail: fmt.Sprintf("%s sets -D%s=%s %s. In scope %q trustform merges that store into its own, so the JVM trusts both, but %s. Fix the options, or remove them and put the store's CAs in a certificate_authority_collection (keytool -exportcert -rfc).",
				r.Address, javaTrustStore, path, where(src), scope, why),
			Subject: &rng,
		}}
	}
	typ := strings.ToUpper(eff[javaStoreType])
	switch {
	case path == "NONE" || (typ != "" && typ != "JKS" && typ != "PKCS12" && typ != "JCEKS"):
		return fail(fmt.Sprintf("a %s store (type %q) is not a file trustform can read; export its CAs to a PEM file and add it to a certificate_authority_collection instead", path, eff[javaStoreType]))
	}
	file := path
	if !filepath.IsAbs(file) {
		file = filepath.Join(workDir, file)
	}
	if p.in.Host.ReadFile == nil {
		return fail("this build of trustform cannot read files while planning")
	}
	data, err := p.in.Host.ReadFile(file)
	if err != nil {
		// fail already says what to do; this says only what is wrong.
		if errors.Is(err, fs.ErrNotExist) {
			return fail(fmt.Sprintf("%s does not exist (a relative path is relative to working_dir)", file))
		}
		return fail(fmt.Sprintf("it cannot be read: %v", err))
	}
	pw, hasPw := eff[javaStorePassword]
	st, err := sysroots.ReadJavaStore(data, file, pw, hasPw)
	if err != nil {
		return fail(err.Error())
	}
	if len(st.Certificates) == 0 {
		return fail("it holds no trusted certificate entries (keytool -list shows them as trustedCertEntry); the JVM would trust nothing from it")
	}
	jt.store = st
	for i, s := range settings {
		sp, ok := s.props[javaTrustStore]
		if !ok {
			continue
		}
		iv := InheritedVar{Name: javaTrustStore, From: s.from, Value: sp, Action: ActionReplaced, Result: ours, Certificates: len(st.Certificates), Format: st.Format}
		if s.from != FromJvmArgs {
			iv.In = s.where
		}
		if i == last {
			iv.Action = ActionMerged
		} else {
			// The JVM never used it: a later option named another.
			iv.Certificates, iv.Format = 0, ""
		}
		decided = append(decided, iv)
	}
	return jt, decided, nil
}

// javaTrustProp parses one -Djavax.net.ssl.trustStore* option.
func javaTrustProp(opt string) (name, value string, ok bool) {
	rest, found := strings.CutPrefix(opt, "-D")
	if !found || !strings.HasPrefix(rest, javaPropPrefix) {
		return "", "", false
	}
	name, value, _ = strings.Cut(rest, "=")
	return name, value, true
}

// stripJavaTrust removes trust store properties from a list of JVM
// arguments.
func stripJavaTrust(args []string) ([]string, map[string]string) {
	var kept []string
	props := map[string]string{}
	for _, a := range args {
		if k, v, ok := javaTrustProp(a); ok {
			props[k] = v
			continue
		}
		kept = append(kept, a)
	}
	if kept == nil {
		kept = []string{}
	}
	return kept, props
}

// splitJavaOptions splits an option variable the way the JVM does:
// whitespace separates options, and single or double quotes group
// whitespace into one. Tokens keep their quotes, so what is left is
// passed on unchanged.
func splitJavaOptions(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, c := range s {
		switch {
		case quote != 0:
			cur.WriteRune(c)
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote, in = c, true
			cur.WriteRune(c)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			in = true
			cur.WriteRune(c)
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// unquote removes the quotes the JVM removes from an option.
func unquote(tok string) string {
	var b strings.Builder
	var quote rune
	for _, c := range tok {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// maskJavaPassword hides a trustStorePassword in an option variable's
// value shown in plans.
func maskJavaPassword(s string) string {
	toks := splitJavaOptions(s)
	changed := false
	for i, tok := range toks {
		if k, _, ok := javaTrustProp(unquote(tok)); ok && k == javaStorePassword {
			toks[i] = "-D" + javaStorePassword + "=" + SensitiveMask
			changed = true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(toks, " ")
}
