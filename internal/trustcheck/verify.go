package trustcheck

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// Kind classifies a verdict. Its values are part of `check -json`.
type Kind string

// Verdict kinds.
const (
	Trusted             Kind = "trusted"
	Expired             Kind = "expired"
	NotYetValid         Kind = "not_yet_valid"
	NameMismatch        Kind = "name_mismatch"
	MissingIntermediate Kind = "missing_intermediate"
	UnknownRoot         Kind = "unknown_root"
	IntermediateAnchor  Kind = "intermediate_only"
	InheritedOverride   Kind = "inherited_override"
	ScopeNone           Kind = "scope_none"
	StoreUnreadable     Kind = "store_unreadable"
	Other               Kind = "other"
)

// Input is what Verify needs besides the client.
type Input struct {
	// Chain is what the server presented, leaf first.
	Chain []*x509.Certificate
	// Host is the name or IP address the client connects to.
	Host string
	Now  time.Time
	// Set is the resource's trust set (its bundle), nil when it gets none;
	// SetName names it.
	Set     []*x509.Certificate
	SetName string
	// ScopeNone is set when the resource's scope is none (or it ends up
	// with no certificates): trustform changes nothing for it.
	ScopeNone bool
}

// Result is one client's verdict.
type Result struct {
	Client string `json:"client"`
	Kind   Kind   `json:"verdict"`
	// Trusted is Kind == Trusted.
	Trusted bool `json:"trusted"`
	// Reason says why, in one sentence; Fix says what to change.
	Reason string `json:"reason"`
	Fix    string `json:"fix,omitempty"`
	// Anchor is the subject of the certificate the chain ends at, and
	// Store the store that holds it, when trusted.
	Anchor string `json:"anchor,omitempty"`
	Store  string `json:"store,omitempty"`
	// Var and Inherited describe the variable behind an override.
	Var  string `json:"variable,omitempty"`
	Note string `json:"note,omitempty"`
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// anchorIn tries to chain in.Chain to one of stores' certificates. It
// returns the anchor and the label of the store that holds it.
func anchorIn(in Input, stores []Store, partial bool) (*x509.Certificate, string, error) {
	roots := x509.NewCertPool()
	inter := x509.NewCertPool()
	label := map[string]string{}
	n := 0
	for _, s := range stores {
		for _, c := range s.Certs {
			if partial || selfSigned(c) {
				roots.AddCert(c)
				n++
				if _, ok := label[string(c.Raw)]; !ok {
					label[string(c.Raw)] = s.Label
				}
			} else {
				// OpenSSL builds through trusted intermediates but, without
				// the partial-chain flag, anchors only at a self-signed root.
				inter.AddCert(c)
			}
		}
	}
	for _, c := range in.Chain[1:] {
		inter.AddCert(c)
	}
	if n == 0 {
		return nil, "", errors.New("no trusted certificates")
	}
	chains, err := in.Chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   in.Now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return nil, "", err
	}
	top := chains[0][len(chains[0])-1]
	return top, label[string(top.Raw)], nil
}

func name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "\"" + c.Subject.CommonName + "\""
	}
	return c.Subject.String()
}

// Verify decides whether client trusts in.Chain for in.Host.
func Verify(in Input, client Client) Result {
	r := Result{Client: client.Name, Note: client.Note}
	set := func(k Kind, reason, fix string) Result {
		r.Kind, r.Reason, r.Fix, r.Trusted = k, reason, fix, k == Trusted
		return r
	}
	leaf := in.Chain[0]
	// Validity first: every client rejects an expired certificate whatever
	// it trusts, and says so.
	for i, c := range in.Chain {
		what := "The server's certificate " + name(c)
		if i > 0 {
			what = "The certificate " + name(c) + " the server sends"
		}
		if in.Now.After(c.NotAfter) {
			return set(Expired, fmt.Sprintf("%s expired on %s.", what, c.NotAfter.UTC().Format("2006-01-02 15:04 UTC")),
				"Renew it on the server (for trustform's own: trustform devcert create); no trust setting makes a client accept it.")
		}
		if in.Now.Before(c.NotBefore) {
			return set(NotYetValid, fmt.Sprintf("%s is not valid until %s.", what, c.NotBefore.UTC().Format("2006-01-02 15:04 UTC")),
				"Check this machine's clock, or reissue the certificate.")
		}
	}
	anchor, label, err := anchorIn(in, client.Stores, client.Partial)
	if err == nil {
		if herr := leaf.VerifyHostname(hostForVerify(in.Host)); herr != nil {
			return set(NameMismatch, fmt.Sprintf("The name %s is not in the certificate's names (%s).", in.Host, sans(leaf)),
				fmt.Sprintf("Connect with a name the certificate holds, or reissue it with %s in its subject alternative names (trustform's devcert covers localhost, 127.0.0.1 and ::1).", in.Host))
		}
		r.Anchor, r.Store = anchor.Subject.String(), label
		return set(Trusted, fmt.Sprintf("Trusted through %s, anchored at %s.", label, anchor.Subject), "")
	}
	return explain(in, client, r, err, set)
}

func hostForVerify(h string) string {
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return h
}

func sans(c *x509.Certificate) string {
	var out []string
	out = append(out, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	if len(out) == 0 {
		return "none"
	}
	s := ""
	for i, v := range out {
		if i > 0 {
			s += ", "
		}
		s += v
	}
	return s
}
