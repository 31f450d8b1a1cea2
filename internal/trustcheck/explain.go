package trustcheck

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// IgnoresSet: the client reads none of the trust set's files.
const IgnoresSet Kind = "set_not_read"

// explain classifies a chain client did not trust. err is the verifier's.
func explain(in Input, client Client, r Result, err error, set func(Kind, string, string) Result) Result {
	top := in.Chain[len(in.Chain)-1]
	where := storesText(client)
	for _, s := range client.Stores {
		if s.Err != nil && s.Var != "" {
			return set(StoreUnreadable, fmt.Sprintf("%s=%s cannot be read (%v), so %s trusts nothing from it.", s.Var, s.Path, s.Err, client.Name),
				fmt.Sprintf("Point %s at a readable PEM file, or unset it.", s.Var))
		}
	}
	if in.ScopeNone {
		return set(ScopeNone, fmt.Sprintf("This resource's scope is none: trustform gives it no certificates, and %s's own store (%s) does not trust this chain (%s).", client.Name, where, short(err)),
			`Set certificate_trust_scope to "append" (or remove it for the runtime's default) and list the collection that holds the server's root in certificate_authority_collections.`)
	}
	ours := false
	for _, s := range client.Stores {
		ours = ours || s.Ours
	}
	if !ours && len(in.Set) > 0 {
		if _, _, e := anchorIn(in, []Store{{Label: "set", Certs: in.Set}}, client.Partial); e == nil {
			for _, s := range client.Stores {
				if s.Inherited && s.Var != "" {
					r.Var = s.Var
					return set(InheritedOverride, fmt.Sprintf("%s=%s, inherited from trustform's environment (your shell), overrides trust set %s: %s reads %s instead, and it does not trust this chain.", s.Var, s.Path, in.SetName, client.Name, s.Path),
						fmt.Sprintf("Unset %s before running trustform, or set it for this resource: certificate_trust_configuration { environment = { %s = trust.bundle_path } }.", s.Var, s.Var))
				}
			}
			return set(IgnoresSet, fmt.Sprintf("%s does not read trust set %s in this scope: it reads %s, which does not trust this chain.", client.Name, in.SetName, where),
				ignoresFix(client))
		}
	}
	// An intermediate in a store would anchor the chain for Go or curl, but
	// OpenSSL without X509_V_FLAG_PARTIAL_CHAIN wants its self-signed root.
	if !client.Partial {
		if anchor, label, e := anchorIn(in, client.Stores, true); e == nil && !selfSigned(anchor) {
			return set(IntermediateAnchor, fmt.Sprintf("%s holds the intermediate %s but not the root %s that issued it; %s accepts only a self-signed root as anchor (OpenSSL without X509_V_FLAG_PARTIAL_CHAIN).", label, name(anchor), anchor.Issuer, client.Name),
				fmt.Sprintf("Add the root %s to the collection (trustform certificate fetch URL saves it when the system store or the server has it).", anchor.Issuer))
		}
	}
	setText := "any store " + client.Name + " reads (" + where + ")"
	if in.SetName != "" {
		setText = "trust set " + in.SetName + ", nor in the other stores " + client.Name + " reads (" + where + ")"
	}
	if selfSigned(top) {
		return set(UnknownRoot, fmt.Sprintf("The root %s that signs this chain is not in %s.", name(top), setText),
			"Save it with `trustform certificate fetch URL` and add the file to a certificate_authority_collection this resource lists.")
	}
	if !storesHold(client, top.RawIssuer) {
		if len(in.Chain) == 1 {
			return set(MissingIntermediate, fmt.Sprintf("The server did not send the intermediate %s that issued its certificate, and %s does not fetch it; it is not in %s either.", top.Issuer, client.Name, setText),
				"Configure the server to send its full chain (its certificate, then the intermediate). If "+top.Issuer.String()+" is itself a root, trust it: `trustform certificate fetch URL` shows it.")
		}
		return set(UnknownRoot, fmt.Sprintf("The root %s that signs this chain is not in %s.", top.Issuer, setText),
			"Save it with `trustform certificate fetch URL` and add the file to a certificate_authority_collection this resource lists.")
	}
	return set(Other, fmt.Sprintf("%s does not trust this chain: %v.", client.Name, err), "")
}

func ignoresFix(c Client) string {
	switch {
	case strings.HasPrefix(c.Name, "python (requests)"):
		return `requests reads REQUESTS_CA_BUNDLE, not SSL_CERT_DIR: use certificate_trust_scope "system" (python's default) or "override".`
	case c.Name == "node" || c.Name == "bun":
		return `Use scope "append" (NODE_EXTRA_CA_CERTS) or "override".`
	}
	return `Use scope "override" or "system", which set SSL_CERT_FILE as well.`
}

func storesHold(c Client, rawSubject []byte) bool {
	for _, s := range c.Stores {
		for _, x := range s.Certs {
			if bytes.Equal(x.RawSubject, rawSubject) {
				return true
			}
		}
	}
	return false
}

func storesText(c Client) string {
	var parts []string
	for _, s := range c.Stores {
		l := s.Label
		if s.Var != "" && !s.Ours {
			l = s.Var + "=" + s.Path
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func short(err error) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "x509: certificate signed by unknown authority"
	}
	return err.Error()
}
