package lang

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/pem"
	"github.com/trustform/trustform/internal/safepath"
)

type collectionDecl struct {
	Name  string
	Block *hcl.Block
	Attrs hcl.Attributes
}

func (l *loader) declareCollection(b *hcl.Block) {
	if !l.checkName(b, 0, "certificate_authority_collection") {
		return
	}
	name := b.Labels[0]
	if prev, ok := l.collections[name]; ok {
		l.duplicate(b, "certificate_authority_collection", RootCollection+"."+name, prev.Block.DefRange)
		return
	}
	content, diags := b.Body.Content(collectionSchema)
	l.add(diags)
	l.collections[name] = &collectionDecl{Name: name, Block: b, Attrs: content.Attributes}
}

// elementRanges returns the range of each element of a list expression
// written literally, or nil when the expression is computed.
func elementRanges(expr hcl.Expression, n int) []hcl.Range {
	elems, diags := hcl.ExprList(expr)
	if diags.HasErrors() || len(elems) != n {
		return nil
	}
	out := make([]hcl.Range, n)
	for i, e := range elems {
		out[i] = e.Range()
	}
	return out
}

// evalCollection expands a collection block by its count or for_each and
// parses every certificate of each instance once; resources share the
// result.
func (l *loader) evalCollection(n *node) bool {
	c := n.coll
	context := blockRange(c.Block)
	count, forEach, ok := l.repeatAttrs(c.Attrs, context)
	if !ok {
		return false
	}
	rep, ok := l.expand(count, forEach, n.refs, context)
	if !ok {
		return false
	}
	insts, vals, ok := expandInstances(l, rep, func(k addrs.Key) (*Collection, cty.Value, bool) {
		return l.evalCollectionInstance(n, k, rep)
	})
	if !ok {
		return false
	}
	l.expansions[RootCollection+"."+c.Name] = rep
	l.collVals[c.Name] = rep.aggregate(vals)
	for _, coll := range insts {
		l.cfg.Collections[coll.Name] = coll
	}
	return true
}

// evalCollectionInstance evaluates one instance; its name is NAME plus the
// instance key (corp, corp[0], corp["eu"]).
func (l *loader) evalCollectionInstance(n *node, key addrs.Key, rep *repetition) (*Collection, cty.Value, bool) {
	c := n.coll
	ctx := l.evalContext(n.refs, nil)
	for k, v := range rep.vars(key) {
		ctx.Variables[k] = v
	}
	name := c.Name + key.String()
	context := blockRange(c.Block)
	var certs []*pem.Certificate
	ok := true
	problems := false

	report := func(got []*pem.Certificate, probs []pem.Problem, subject hcl.Range) {
		certs = append(certs, got...)
		for _, p := range probs {
			problems = true
			sev := hcl.DiagWarning
			if p.Severity == pem.Error {
				sev = hcl.DiagError
				ok = false
			}
			// internal/pem names the source and line in its summaries;
			// add them only when a message lacks them.
			summary := p.Summary
			if !strings.Contains(summary, p.Source) {
				where := p.Source
				if p.Line > 0 {
					where = fmt.Sprintf("%s line %d", p.Source, p.Line)
				}
				summary = where + ": " + summary
			}
			subj := subject
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: sev,
				Summary:  summary,
				Detail:   p.Detail,
				Subject:  &subj,
				Context:  context,
			})
		}
	}

	if a := c.Attrs[AttrCertificates]; a != nil {
		list, good := l.evalStringList(a, ctx)
		if !good {
			ok = false
		}
		ranges := elementRanges(a.Expr, len(list))
		for i, s := range list {
			source, known := l.fs.fileSource[s]
			if !known {
				source = fmt.Sprintf("%s[%d]", AttrCertificates, i)
			}
			subject := a.Expr.Range()
			if ranges != nil {
				subject = ranges[i]
			}
			got, probs := pem.Parse([]byte(s), source, pem.Options{Now: l.opts.Now})
			report(got, probs, subject)
		}
	}
	if a := c.Attrs[AttrFiles]; a != nil {
		patterns, good := l.evalStringList(a, ctx)
		if !good {
			ok = false
		}
		ranges := elementRanges(a.Expr, len(patterns))
		for i, pattern := range patterns {
			subject := a.Expr.Range()
			if ranges != nil {
				subject = ranges[i]
			}
			paths, good := l.globFiles(pattern, subject, context)
			if !good {
				ok = false
				continue
			}
			// A collection is often a directory of one certificate per
			// file: reading and parsing them is most of its cost, and
			// the files share nothing, so they are read side by side.
			// What they hold is reported in the order of paths.
			read := make([]certFile, len(paths))
			forEachParallel(len(paths), func(i int) {
				read[i] = readCertFile(paths[i], l.relName(paths[i]), l.opts.Now)
			})
			for i, f := range read {
				if ie := (*safepath.InputError)(nil); errors.As(f.err, &ie) {
					l.errorf(&subject, context, "Cannot read certificate file",
						"%s %s: files accepts regular files of up to 10 MB. Remove it, or narrow the pattern.", l.relName(paths[i]), ie.Reason())
					ok = false
					continue
				}
				if f.err != nil {
					l.errorf(&subject, context, "Cannot read certificate file",
						"Reading %s failed: %s.", l.relName(paths[i]), f.err)
					ok = false
					continue
				}
				report(f.certs, f.probs, subject)
			}
		}
	}
	if !ok {
		return nil, cty.NilVal, false
	}
	certs = pem.Dedup(certs)
	if len(certs) == 0 {
		if !problems {
			l.errorf(&c.Block.DefRange, context, "Collection has no certificates",
				"certificate_authority_collection %q must hold at least one certificate: add PEM text to certificates or glob patterns to files.", name)
		} else {
			l.errorf(&c.Block.DefRange, context, "Collection has no certificates",
				"No certificate of certificate_authority_collection %q can be used (see the warnings above); at least one valid certificate is required.", name)
		}
		return nil, cty.NilVal, false
	}
	pems := make([]cty.Value, len(certs))
	fps := make([]cty.Value, len(certs))
	for i, cert := range certs {
		pems[i] = cty.StringVal(string(cert.PEM()))
		fps[i] = cty.StringVal(cert.SHA256)
	}
	v := cty.ObjectVal(map[string]cty.Value{
		"name":         cty.StringVal(name),
		"certificates": cty.ListVal(pems),
		"fingerprints": cty.ListVal(fps),
	})
	return &Collection{Name: name, Certificates: certs, DeclRange: c.Block.DefRange}, v, true
}

// evalStringList evaluates an attribute that must be a known list of
// strings without nulls.
func (l *loader) evalStringList(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, bool) {
	v, diags := a.Expr.Value(ctx)
	if !l.add(diags) {
		return nil, false
	}
	v, ok := l.convert(a.Expr.Range(), a.Name, v, listOfString)
	if !ok || !l.requireKnown(a.Expr, a.Name, v) {
		return nil, false
	}
	list, _, ok := l.goStringList(a.Expr.Range(), a.Name, v)
	return list, ok
}

// certFile is one file of a collection, read and parsed.
type certFile struct {
	certs []*pem.Certificate
	probs []pem.Problem
	err   error
}

// readCertFile reads and parses the certificate file path, named source in
// messages.
func readCertFile(path, source string, now time.Time) certFile {
	data, err := safepath.ReadInput(path, safepath.MaxInputFile)
	if err != nil {
		return certFile{err: err}
	}
	certs, probs := pem.Parse(data, source, pem.Options{Now: now})
	return certFile{certs: certs, probs: probs}
}

// globFiles expands one files pattern relative to the configuration
// directory. A pattern without wildcards names a file that must exist; a
// pattern with wildcards must match at least one file.
func (l *loader) globFiles(pattern string, subject hcl.Range, context *hcl.Range) ([]string, bool) {
	full := pattern
	if !filepath.IsAbs(full) {
		full = filepath.Join(l.dir, pattern)
	}
	l.fs.read[filepath.Clean(full)] = true
	if !strings.ContainsAny(pattern, "*?[") {
		fi, err := os.Stat(full)
		if err != nil {
			l.errorf(&subject, context, "Certificate file not found",
				"%s does not exist (relative paths are relative to the configuration directory %s). Fix the path or remove it from files.", pattern, l.dir)
			return nil, false
		}
		if fi.IsDir() {
			l.errorf(&subject, context, "Certificate path is a directory",
				"%s is a directory; use a glob pattern such as %q.", pattern, filepath.ToSlash(filepath.Join(pattern, "*.pem")))
			return nil, false
		}
		return []string{full}, true
	}
	matches, err := filepath.Glob(full)
	if err != nil {
		l.errorf(&subject, context, "Invalid glob pattern", "%q is not a valid pattern: %s.", pattern, err)
		return nil, false
	}
	var files []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && !fi.IsDir() {
			files = append(files, m)
		}
	}
	if len(files) == 0 {
		l.errorf(&subject, context, "Glob matches no files",
			"The pattern %q matches no certificate file in %s. Fix the pattern or add the files.", pattern, l.dir)
		return nil, false
	}
	sort.Strings(files)
	return files, true
}

// relName names a file relative to the configuration directory, with
// slashes, as users wrote it.
func (l *loader) relName(p string) string {
	if rel, err := filepath.Rel(l.dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}
