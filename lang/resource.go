package lang

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/internal/layout"
	"github.com/trustform/trustform/runtimes"
)

// resourceSchema is the argument list of one resource type.
type resourceSchema struct {
	specs  []attrSpec
	byName map[string]attrSpec
	body   *hcl.BodySchema
}

func (l *loader) schemaFor(typ string, rt *runtimes.Runtime) *resourceSchema {
	if s, ok := l.schemas[typ]; ok {
		return s
	}
	s := &resourceSchema{byName: map[string]attrSpec{}, body: &hcl.BodySchema{}}
	specs := append([]attrSpec{}, commonAttrs...)
	for _, a := range rt.Attrs {
		sp := attrSpec{Name: a.Name, Type: cty.String, Required: a.Required, row: true}
		if a.List {
			sp.Type = listOfString
		}
		if a.Path {
			sp.Kind = kindPath
		}
		if a.Default != "" {
			sp.Default = cty.StringVal(a.Default)
		}
		specs = append(specs, sp)
	}
	if rt.ProgramAttr != "" {
		specs = append(specs, attrSpec{Name: rt.ProgramAttr, Type: cty.String, Default: cty.StringVal(rt.Program), row: true})
	}
	for _, sp := range specs {
		s.specs = append(s.specs, sp)
		s.byName[sp.Name] = sp
		// Required arguments are checked by hand so the error points at
		// the resource header rather than at its opening brace.
		s.body.Attributes = append(s.body.Attributes, hcl.AttributeSchema{Name: sp.Name})
	}
	s.body.Blocks = []hcl.BlockHeaderSchema{{Type: BlockTrustConfiguration}, {Type: BlockReadyWhen}}
	if rt.Kind == runtimes.KindContainer {
		s.body.Blocks = append(s.body.Blocks, hcl.BlockHeaderSchema{Type: BlockContainerPaths})
	}
	l.schemas[typ] = s
	return s
}

// nestedBlock is a decoded block inside a resource.
type nestedBlock struct {
	Block *hcl.Block
	Attrs hcl.Attributes
}

type resourceDecl struct {
	Type, Name, Addr string
	Block            *hcl.Block
	Runtime          *runtimes.Runtime
	Schema           *resourceSchema
	Attrs            hcl.Attributes
	TrustConf        *nestedBlock
	Ready            *nestedBlock
	Paths            *nestedBlock
}

func (l *loader) declareResource(b *hcl.Block) {
	typ := b.Labels[0]
	rt := runtimes.Lookup(typ)
	if rt == nil {
		types := runtimes.Types()
		l.errorf(&b.LabelRanges[0], blockRange(b), "Unknown resource type",
			"trustform has no resource type %q.%s Valid types are: %s.", typ, didYouMean(typ, types), strings.Join(types, ", "))
		return
	}
	if !l.checkName(b, 1, "resource") {
		return
	}
	addr := typ + "." + b.Labels[1]
	if prev, ok := l.resources[addr]; ok {
		l.duplicate(b, "resource", addr, prev.Block.DefRange)
		return
	}
	sch := l.schemaFor(typ, rt)
	content, diags := b.Body.Content(sch.body)
	l.add(diags)
	r := &resourceDecl{Type: typ, Name: b.Labels[1], Addr: addr, Block: b, Runtime: rt, Schema: sch, Attrs: content.Attributes}
	for _, nb := range content.Blocks {
		var slot **nestedBlock
		var schema *hcl.BodySchema
		switch nb.Type {
		case BlockTrustConfiguration:
			slot, schema = &r.TrustConf, trustConfigurationSchema
		case BlockReadyWhen:
			slot, schema = &r.Ready, readyWhenSchema
		case BlockContainerPaths:
			slot, schema = &r.Paths, containerPathsSchema
		default:
			continue
		}
		if *slot != nil {
			l.errorf(&nb.DefRange, blockRange(b), "Duplicate "+nb.Type+" block",
				"A resource may have only one %s block; the first is at %s. Merge them.", nb.Type, rangeString((*slot).Block.DefRange))
			continue
		}
		c, diags := nb.Body.Content(schema)
		l.add(diags)
		*slot = &nestedBlock{Block: nb, Attrs: c.Attributes}
	}
	l.resources[addr] = r
}

// preTrustAttrs decide the resource's trust, so they are evaluated before
// trust.* exists and may not refer to it.
var preTrustAttrs = map[string]bool{
	AttrDeveloperCertificateTrust: true,
	AttrCertificateTrustScope:     true,
	AttrCollections:               true,
}

func (l *loader) collectResourceRefs(n *node, r *resourceDecl) {
	for _, a := range sortedAttrs(r.Attrs) {
		switch {
		case a.Name == AttrDependsOn:
			l.collectDependsOn(n, r, a)
		case a.Name == AttrCount || a.Name == AttrForEach:
			n.inRepeatExpr = true
			l.collectRefs(n, a.Expr.Variables(), true, a.Name)
			n.inRepeatExpr = false
		case preTrustAttrs[a.Name]:
			l.collectRefs(n, references(a.Expr), true, a.Name)
		default:
			l.collectRefs(n, references(a.Expr), true, "")
		}
	}
	if r.Paths != nil {
		for _, a := range sortedAttrs(r.Paths.Attrs) {
			l.collectRefs(n, a.Expr.Variables(), true, BlockContainerPaths)
		}
	}
	for _, nb := range []*nestedBlock{r.TrustConf, r.Ready} {
		if nb != nil {
			for _, a := range sortedAttrs(nb.Attrs) {
				l.collectRefs(n, a.Expr.Variables(), true, "")
			}
		}
	}
}

// references returns the traversals expr refers to. A constant argument
// (most of a resource's) has none, found without walking it for them.
func references(expr hcl.Expression) []hcl.Traversal {
	if constantExpr(expr, false) {
		return nil
	}
	return expr.Variables()
}

// collectDependsOn reads depends_on statically: it must list resource
// addresses, as in Terraform.
func (l *loader) collectDependsOn(n *node, r *resourceDecl, a *hcl.Attribute) {
	elems, diags := hcl.ExprList(a.Expr)
	if !l.add(diags) {
		n.bad = true
		return
	}
	for _, e := range elems {
		tr, diags := hcl.AbsTraversalForExpr(e)
		rng := e.Range()
		// An instance key is allowed (and checked once the block is
		// expanded); the dependency is on the whole block, as in
		// Terraform.
		keyed := len(tr) == 3
		if keyed {
			_, keyed = tr[2].(hcl.TraverseIndex)
		}
		if diags.HasErrors() || (len(tr) != 2 && !keyed) || runtimes.Lookup(tr.RootName()) == nil {
			l.errorf(&rng, blockRange(r.Block), "Invalid depends_on reference",
				"depends_on lists resources as TYPE.NAME, such as node_app.web (or one instance, such as executable.worker[0]), without quotes or attributes.")
			n.bad = true
			continue
		}
		// depends_on orders blocks without reading their values.
		if l.checkRef(n, tr, true, true, "") {
			n.refs = append(n.refs, tr)
		} else {
			n.bad = true
		}
	}
}

// evalAttr evaluates an argument, converts it to ty and requires it known.
func (l *loader) evalAttr(a *hcl.Attribute, ty cty.Type, ctx *hcl.EvalContext) (cty.Value, bool) {
	src, constant := l.constSource(a.Expr, ty)
	if constant {
		if v, ok := l.cachedConst(ty, src); ok {
			return v, true
		}
	}
	v, diags := a.Expr.Value(ctx)
	if !l.add(diags) {
		return cty.NilVal, false
	}
	v, ok := l.convert(a.Expr.Range(), a.Name, v, ty)
	if !ok || !l.requireKnown(a.Expr, a.Name, v) {
		return cty.NilVal, false
	}
	if constant && len(diags) == 0 {
		l.keepConst(ty, src, v)
	}
	return v, true
}

// evalResource expands the block by its count or for_each and evaluates
// every instance. The block fails as a whole when any instance fails, so
// dependants never see a partial set of instances.
func (l *loader) evalResource(n *node) bool {
	r := n.res
	context := blockRange(r.Block)
	count, forEach, ok := l.repeatAttrs(r.Attrs, context)
	if !ok {
		return false
	}
	rep, ok := l.expand(count, forEach, n.valueRefs, context)
	if !ok {
		return false
	}
	insts, vals, ok := expandInstances(l, rep, func(k addrs.Key) (*Resource, map[string]cty.Value, bool) {
		return l.evalInstance(n, k, rep)
	})
	if !ok {
		return false
	}
	l.expansions[r.Addr] = rep
	l.cfg.ResourceBlocks[r.Addr] = rep.kind()
	list := make([]*instance, len(insts))
	// Only a block an expression or output refers to is ever asked for
	// its value (depends_on only orders): the attributes of the others
	// need not stay live until loading ends.
	needed := l.g.isNeeded(r.Addr)
	for i, res := range insts {
		list[i] = &instance{addr: res.Address}
		if needed {
			list[i].attrs = vals[i]
		}
	}
	l.instances[r.Addr] = list
	l.cfg.Resources = append(l.cfg.Resources, insts...)
	return true
}

// instanceDeps expands resDeps, which names blocks, into the instances of
// those blocks, each with the range of the reference that led to it.
func (l *loader) instanceDeps(blockDeps map[string]hcl.Range) map[string]hcl.Range {
	out := make(map[string]hcl.Range, len(blockDeps))
	for block, rng := range blockDeps {
		rep := l.expansions[block]
		if rep == nil {
			out[block] = rng
			continue
		}
		for _, k := range rep.keys {
			out[block+k.String()] = rng
		}
	}
	return out
}

// evalInstance evaluates one instance of a resource block, returning the
// Resource and the attributes of the object other blocks see when they
// refer to it.
func (l *loader) evalInstance(n *node, key addrs.Key, rep *repetition) (*Resource, map[string]cty.Value, bool) {
	r := n.res
	rt := r.Runtime
	context := blockRange(r.Block)
	ctx := l.evalContext(n.valueRefs, nil)
	for k, v := range rep.vars(key) {
		ctx.Variables[k] = v
	}
	addr := r.Addr + key.String()
	res := &Resource{
		Type: r.Type, Name: r.Name, Key: key, Address: addr, DeclRange: r.Block.DefRange, Runtime: rt,
		DeveloperCertificateTrust: l.cfg.Settings.DeveloperCertificateTrust,
		Scope:                     rt.DefaultScopeFor(l.opts.GOOS),
	}
	// Files are named after the address (ADDR.log, resources/ADDR): one
	// too long for a file name passed plan and failed at apply.
	logPath := layout.LogPath(l.dir, addr)
	if n := len(filepath.Base(logPath)); n > maxFileName {
		rng := r.Block.LabelRanges[len(r.Block.LabelRanges)-1]
		l.errorf(&rng, context, "Resource name too long",
			"The address %s is %d bytes long; trustform names its log and trust files after it, and file names are limited to %d bytes. Use a name of at most %d bytes (with its count or for_each key).",
			truncateMiddle(addr, 60), len(addr), maxFileName, maxFileName-len(".log"))
		return nil, nil, false
	}
	// What other blocks see when they refer to this one: every argument,
	// plus the dozen attributes set after evaluation. A block nothing
	// reads keeps only what the checks below look up.
	keep := l.g.isNeeded(r.Addr)
	size := 3
	if keep {
		size = len(r.Schema.specs) + 12
	}
	vals := make(map[string]cty.Value, size)
	ok := true

	// Stage 1: what decides trust.
	if a := r.Attrs[AttrDeveloperCertificateTrust]; a != nil {
		if v, good := l.evalAttr(a, cty.Bool, ctx); !good {
			ok = false
		} else if !v.IsNull() {
			uv, _ := v.UnmarkDeep()
			res.DeveloperCertificateTrust = uv.True()
		}
	}
	if a := r.Attrs[AttrCertificateTrustScope]; a != nil {
		if v, good := l.evalAttr(a, cty.String, ctx); !good {
			ok = false
		} else if s, _ := goString(v); !v.IsNull() {
			if !runtimes.ValidScope(s) {
				rng := a.Expr.Range()
				valid := make([]string, len(runtimes.Scopes))
				for i, sc := range runtimes.Scopes {
					valid[i] = string(sc)
				}
				l.errorf(&rng, context, "Invalid certificate_trust_scope",
					"%q is not a trust scope.%s Valid values are %s.", s, didYouMean(s, valid), quoteList(valid))
				ok = false
			} else {
				res.Scope, res.ScopeSet = runtimes.Scope(s), true
			}
		}
	}
	if a := r.Attrs[AttrCollections]; a != nil {
		names, good := l.collectionNames(a, ctx, context)
		ok = ok && good
		res.Collections = names
	}
	if rt.Kind == runtimes.KindContainer {
		res.ContainerPaths = ContainerPaths{
			Destination:    runtimes.DefaultContainerDestination,
			BundlePaths:    runtimes.DefaultContainerBundlePaths(),
			DirectoryPaths: runtimes.DefaultContainerDirectoryPaths(),
		}
		if r.Paths != nil && !l.containerPaths(r.Paths, ctx, &res.ContainerPaths) {
			ok = false
		}
	}
	if !ok {
		return nil, nil, false
	}

	res.ResolveTrust(l.dir, l.cfg.Collections)
	if refersTo(n.valueRefs, RootTrust) {
		ctx.Variables[RootTrust] = cty.ObjectVal(map[string]cty.Value{
			"bundle_path":      cty.StringVal(res.Trust.BundlePath),
			"directories_path": cty.StringVal(res.Trust.DirectoriesPath),
			"scope":            cty.StringVal(string(res.Trust.Scope)),
		})
	}

	// Stage 2: every other argument, with trust.* available.
	for _, sp := range r.Schema.specs {
		if sp.Kind == kindSpecial || preTrustAttrs[sp.Name] {
			continue
		}
		a := r.Attrs[sp.Name]
		v := cty.NullVal(sp.Type)
		if a != nil {
			var good bool
			if v, good = l.evalAttr(a, sp.Type, ctx); !good {
				ok = false
				continue
			}
		}
		if v.IsNull() {
			switch {
			case sp.Required:
				l.errorf(&r.Block.DefRange, context, "Missing required argument",
					"The argument %q is required for a %s resource, but no definition was found.", sp.Name, r.Type)
				ok = false
				continue
			case sp.Default != cty.NilVal:
				v = sp.Default
			case sp.Name == AttrWorkingDir:
				v = cty.StringVal(l.dir)
			}
		}
		var rng hcl.Range
		if a != nil {
			rng = a.Expr.Range()
		} else {
			rng = r.Block.DefRange
		}
		v, good := l.assign(res, sp, rng, v)
		if !good {
			ok = false
			continue
		}
		if a != nil && (sp.row || sp.Name == AttrEnv) {
			if res.AttrRanges == nil {
				res.AttrRanges = map[string]hcl.Range{}
			}
			res.AttrRanges[sp.Name] = rng
			if sp.Name == AttrEnv {
				res.envExpr = a.Expr
			}
			if tc, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok && sp.row && sp.Type.IsListType() {
				if res.ElemRanges == nil {
					res.ElemRanges = map[string][]hcl.Range{}
				}
				for _, e := range tc.Exprs {
					res.ElemRanges[sp.Name] = append(res.ElemRanges[sp.Name], e.Range())
				}
			}
		}
		if keep || sp.Name == AttrStopTimeout || sp.Name == AttrStartPeriod || sp.Name == AttrRestart {
			vals[sp.Name] = v
		}
	}
	ok = l.checkForms(r, res) && ok
	// Zero is refused, not defaulted: it used to become 10s silently
	// (issue 12), and a process that must not get time to end cleanly is
	// not what anyone means by "0s".
	if d, err := time.ParseDuration(orDefault(res, vals)); err != nil || d <= 0 {
		rng := r.Block.DefRange
		if a := r.Attrs[AttrStopTimeout]; a != nil {
			rng = a.Expr.Range()
		}
		l.errorf(&rng, context, "Invalid stop_timeout",
			"stop_timeout must be a positive duration such as \"10s\" or \"1m30s\": how long a process gets to end after SIGTERM before SIGKILL. For an almost immediate kill use \"1ms\".")
		ok = false
	} else {
		res.StopTimeout = d
	}
	if d, err := time.ParseDuration(durationAttr(vals, AttrStartPeriod, DefaultStartPeriod)); err != nil || d < 0 {
		rng := r.Block.DefRange
		if a := r.Attrs[AttrStartPeriod]; a != nil {
			rng = a.Expr.Range()
		}
		l.errorf(&rng, context, "Invalid start_period",
			"start_period must be a non-negative duration such as \"500ms\" or \"2s\": how long the resource must stay up after starting before apply counts it as created.")
		ok = false
	} else {
		res.StartPeriod = d
	}
	switch p := durationAttr(vals, AttrRestart, RestartNo); p {
	case RestartNo, RestartOnFailure, RestartAlways:
		res.Restart = p
	default:
		rng := r.Block.DefRange
		if a := r.Attrs[AttrRestart]; a != nil {
			rng = a.Expr.Range()
		}
		detail := fmt.Sprintf("restart must be \"no\", \"on-failure\" or \"always\", not %q: what trustform up does when the resource ends (\"on-failure\": start it again after a non-zero exit status; \"always\": after any exit).", p)
		if s := suggestRestart(p); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		l.errorf(&rng, context, "Invalid restart", "%s", detail)
		ok = false
	}
	if r.TrustConf != nil {
		tc, good := l.trustConfiguration(r.TrustConf, ctx)
		ok = ok && good
		res.TrustConfiguration = tc
	}
	if r.Ready != nil {
		rw, good := l.readyWhen(r.Ready, ctx)
		ok = ok && good
		res.ReadyWhen = rw
	}
	if !ok {
		return nil, nil, false
	}

	deps := l.instanceDeps(l.resDeps[r.Addr])
	res.DependsOn = keys.Sorted(deps)
	res.DependsOnRanges = deps
	if !keep {
		return res, nil, true
	}

	vals[AttrDeveloperCertificateTrust] = cty.BoolVal(res.DeveloperCertificateTrust)
	vals[AttrCertificateTrustScope] = cty.StringVal(string(res.Scope))
	names := make([]cty.Value, len(res.Collections))
	for i, c := range res.Collections {
		names[i] = cty.StringVal(c)
	}
	vals[AttrCollections] = cty.ListValEmpty(cty.String)
	if len(names) > 0 {
		vals[AttrCollections] = cty.ListVal(names)
	}
	bundlePath, certsDir := res.Trust.BundlePath, res.Trust.DirectoriesPath
	if res.Trust.Scope == runtimes.ScopeNone || rt.Kind == runtimes.KindContainer {
		// ResolveTrust gave in-container paths, or none.
		bundlePath, certsDir = layout.BundlePath(l.dir, addr), layout.CertsDir(l.dir, addr)
	}
	vals[AttrTrustBundlePath] = cty.StringVal(bundlePath)
	vals[AttrTrustDirectoryPath] = cty.StringVal(certsDir)
	vals[AttrLogPath] = cty.StringVal(logPath)
	vals[AttrSince] = cty.UnknownVal(cty.String)
	if rt.Kind == runtimes.KindContainer {
		vals[AttrContainerID] = cty.UnknownVal(cty.String)
	} else {
		vals[AttrPID] = cty.UnknownVal(cty.Number)
	}
	return res, vals, true
}

// refersTo reports whether a traversal starts at root.
func refersTo(refs []hcl.Traversal, root string) bool {
	for _, tr := range refs {
		if tr.RootName() == root {
			return true
		}
	}
	return false
}

// EnvRange returns where the value of env key name is written, when env
// is an object constructor naming it literally ({ JAVA_TOOL_OPTIONS =
// "..." }), so a diagnostic about one variable points at its value. Only
// diagnostics ask, so it is looked up then, not kept for every resource.
func (r *Resource) EnvRange(name string) (hcl.Range, bool) {
	oc, ok := r.envExpr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return hcl.Range{}, false
	}
	var rng hcl.Range
	found := false
	for _, it := range oc.Items {
		k, diags := it.KeyExpr.Value(nil)
		if diags.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
			continue
		}
		// The last of a repeated key wins, as in the value.
		if k.AsString() == name {
			rng, found = it.ValueExpr.Range(), true
		}
	}
	return rng, found
}

// durationAttr is the string value of a duration argument, or def.
func durationAttr(vals map[string]cty.Value, name, def string) string {
	if v, ok := vals[name]; ok && !v.IsNull() {
		s, _ := goString(v)
		return s
	}
	return def
}

func orDefault(res *Resource, vals map[string]cty.Value) string {
	if v, ok := vals[AttrStopTimeout]; ok {
		s, _ := goString(v)
		return s
	}
	return "10s"
}

// assign stores a converted argument in the Resource and returns the value
// other blocks see when they refer to it (paths made absolute, marks kept).
func (l *loader) assign(res *Resource, sp attrSpec, rng hcl.Range, v cty.Value) (cty.Value, bool) {
	if v.IsNull() {
		return v, true
	}
	switch {
	case sp.Type == cty.String:
		s, sens := goString(v)
		if s == "" && sp.Required {
			l.errorf(&rng, nil, "Empty value",
				"The argument %q must not be empty.", sp.Name)
			return v, false
		}
		// An empty path stays empty rather than becoming the directory.
		if sp.Kind == kindPath && s != "" {
			s = l.fs.abs(s)
			_, marks := v.Unmark()
			v = cty.StringVal(s).WithMarks(marks)
		}
		if sens {
			res.SensitiveAttrs = append(res.SensitiveAttrs, sp.Name)
		}
		switch {
		case sp.row:
			res.Attrs.SetStr(sp.Name, s)
		case sp.Name == AttrWorkingDir:
			res.WorkingDir = s
		}
	case sp.Type.IsListType():
		list, sens, ok := l.goStringList(rng, sp.Name, v)
		if !ok {
			return v, false
		}
		switch sp.Name {
		case AttrArgs:
			res.Args, res.SensitiveArgs = list, sens
		case AttrWatch:
			w, ok := l.watchPatterns(rng, list)
			if !ok {
				return v, false
			}
			res.Watch = w
		default:
			if len(sens) > 0 {
				res.SensitiveAttrs = append(res.SensitiveAttrs, sp.Name)
			}
			if sp.Name == attrPorts {
				for _, m := range list {
					if err := checkPortMapping(m); err != nil {
						l.errorf(&rng, nil, "Invalid port mapping", "In ports: %v.", err)
						return v, false
					}
				}
			}
			res.Attrs.SetList(sp.Name, list)
		}
	case sp.Type.IsMapType():
		m, sens, ok := l.goStringMap(rng, sp.Name, v)
		if !ok {
			return v, false
		}
		res.Env, res.SensitiveEnv = m, sens
	}
	return v, true
}

// checkForms enforces the row's rules between arguments (the either-or
// launch forms of java_app and go_app).
func (l *loader) checkForms(r *resourceDecl, res *Resource) bool {
	if r.Runtime.Check == nil {
		return true
	}
	fe := r.Runtime.Check(res.Attrs)
	if fe == nil {
		return true
	}
	context := blockRange(r.Block)
	if fe.Attr != "" {
		rng := r.Attrs[fe.Attr].Expr.Range()
		l.errorf(&rng, context, "Conflicting arguments",
			"%q cannot be used together with %q: %s", fe.Attr, fe.Other, fe.How)
		return false
	}
	l.errorf(&r.Block.DefRange, context, "Missing required argument", "The %s %s %s", r.Type, r.Addr, fe.How)
	return false
}

// collectionNames evaluates certificate_authority_collections, a list of
// collection objects, into names in the order listed (duplicates dropped).
func (l *loader) collectionNames(a *hcl.Attribute, ctx *hcl.EvalContext, context *hcl.Range) ([]string, bool) {
	// The usual [certificate_authority_collection.corp] names the same
	// collections wherever it is written: its names are found once.
	src, fixed := []byte(nil), constantExpr(a.Expr, true)
	if fixed {
		src, fixed = l.sourceOf(a.Expr)
	}
	if fixed {
		if names, ok := l.collNames[string(src)]; ok {
			return slices.Clone(names), true
		}
	}
	before := len(l.diags)
	names, ok := l.evalCollectionNames(a, ctx, context)
	if fixed && ok && len(l.diags) == before {
		if l.collNames == nil {
			l.collNames = map[string][]string{}
		}
		l.collNames[string(src)] = slices.Clone(names)
	}
	return names, ok
}

// evalCollectionNames is collectionNames, evaluated.
func (l *loader) evalCollectionNames(a *hcl.Attribute, ctx *hcl.EvalContext, context *hcl.Range) ([]string, bool) {
	v, diags := a.Expr.Value(ctx)
	if !l.add(diags) {
		return nil, false
	}
	rng := a.Expr.Range()
	// Only the shallow structure and each element's name are inspected: a
	// deep walk would touch every certificate of every collection, for
	// every resource.
	v, _ = v.Unmark()
	if !v.IsKnown() {
		l.requireKnown(a.Expr, a.Name, v)
		return nil, false
	}
	if v.IsNull() {
		return nil, true
	}
	bad := func(what string) ([]string, bool) {
		l.errorf(&rng, context, "Invalid certificate_authority_collections",
			"certificate_authority_collections must be a list of collection references, such as [certificate_authority_collection.corp]; %s.", what)
		return nil, false
	}
	ty := v.Type()
	if !ty.IsListType() && !ty.IsTupleType() && !ty.IsSetType() && !isCollectionGroup(v) {
		return bad("got " + typeName(ty))
	}
	var names []string
	seen := map[string]bool{}
	i := 0
	// A repeated collection is a tuple (count) or object (for_each) of
	// collections; it may be listed as one element or given directly, and
	// stands for all its instances in order.
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			e, _ = e.Unmark()
			if !e.IsKnown() {
				l.requireKnown(a.Expr, a.Name, e)
				return false
			}
			if isCollectionGroup(e) {
				if !walk(e) {
					return false
				}
				continue
			}
			et := e.Type()
			if e.IsNull() || !et.IsObjectType() || !et.HasAttribute("name") || !et.HasAttribute("fingerprints") {
				bad(fmt.Sprintf("element %d is not a certificate_authority_collection", i))
				return false
			}
			nv, _ := e.GetAttr("name").Unmark()
			if nv.Type() != cty.String || nv.IsNull() || !nv.IsKnown() {
				bad(fmt.Sprintf("element %d is not a certificate_authority_collection", i))
				return false
			}
			name := nv.AsString()
			if _, declared := l.cfg.Collections[name]; !declared {
				bad(fmt.Sprintf("element %d is not a certificate_authority_collection", i))
				return false
			}
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
			i++
		}
		return true
	}
	if !walk(v) {
		return nil, false
	}
	return names, true
}

// isCollectionGroup reports whether v is the value of a repeated
// collection block: a tuple of collections (count) or an object whose
// every attribute is a collection (for_each).
func isCollectionGroup(v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	ty := v.Type()
	isColl := func(t cty.Type) bool {
		return t.IsObjectType() && t.HasAttribute("name") && t.HasAttribute("fingerprints") && t.HasAttribute("certificates")
	}
	switch {
	case ty.IsTupleType():
		for _, et := range ty.TupleElementTypes() {
			if !isColl(et) {
				return false
			}
		}
		return len(ty.TupleElementTypes()) > 0
	case ty.IsObjectType() && !isColl(ty):
		ats := ty.AttributeTypes()
		for _, at := range ats {
			if !isColl(at) {
				return false
			}
		}
		return len(ats) > 0
	}
	return false
}

func (l *loader) containerPaths(nb *nestedBlock, ctx *hcl.EvalContext, cp *ContainerPaths) bool {
	ok := true
	context := blockRange(nb.Block)
	if a := nb.Attrs[AttrDestination]; a != nil {
		if v, good := l.evalAttr(a, cty.String, ctx); !good {
			ok = false
		} else if !v.IsNull() {
			s, _ := goString(v)
			if !path.IsAbs(s) || path.Clean(s) != s || hasDotDot(s) {
				rng := a.Expr.Range()
				l.errorf(&rng, context, "Invalid custom_certificates_destination",
					"%q must be an absolute, clean container path without \"..\", such as %q.", s, runtimes.DefaultContainerDestination)
				ok = false
			} else {
				cp.Destination = s
			}
		}
	}
	for _, name := range []string{AttrBundlePaths, AttrDirectoryPaths} {
		a := nb.Attrs[name]
		if a == nil {
			continue
		}
		v, good := l.evalAttr(a, listOfString, ctx)
		if !good {
			ok = false
			continue
		}
		if v.IsNull() {
			continue
		}
		list, _, good := l.goStringList(a.Expr.Range(), name, v)
		if !good {
			ok = false
			continue
		}
		for _, p := range list {
			if !path.IsAbs(p) {
				rng := a.Expr.Range()
				l.errorf(&rng, context, "Invalid container path",
					"%q in %s must be an absolute path inside the container.", p, name)
				ok = false
			}
		}
		if list == nil {
			list = []string{}
		}
		if name == AttrBundlePaths {
			cp.BundlePaths = list
		} else {
			cp.DirectoryPaths = list
		}
	}
	return ok
}

func hasDotDot(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

func (l *loader) trustConfiguration(nb *nestedBlock, ctx *hcl.EvalContext) (*TrustConfiguration, bool) {
	tc := &TrustConfiguration{DeclRange: nb.Block.DefRange}
	ok := true
	if a := nb.Attrs[AttrArguments]; a != nil {
		if v, good := l.evalAttr(a, listOfString, ctx); good {
			tc.Arguments, tc.SensitiveArguments, good = l.goStringList(a.Expr.Range(), a.Name, v)
			ok = ok && good
		} else {
			ok = false
		}
	}
	if a := nb.Attrs[AttrEnvironment]; a != nil {
		if v, good := l.evalAttr(a, cty.Map(cty.String), ctx); good {
			tc.Environment, tc.SensitiveEnvironment, good = l.goStringMap(a.Expr.Range(), a.Name, v)
			ok = ok && good
		} else {
			ok = false
		}
	}
	return tc, ok
}

func (l *loader) readyWhen(nb *nestedBlock, ctx *hcl.EvalContext) (*ReadyWhen, bool) {
	rw := &ReadyWhen{Timeout: 60 * time.Second}
	context := blockRange(nb.Block)
	ok := true
	str := func(name string) (string, *hcl.Attribute) {
		a := nb.Attrs[name]
		if a == nil {
			return "", nil
		}
		v, good := l.evalAttr(a, cty.String, ctx)
		if !good {
			ok = false
			return "", a
		}
		s, _ := goString(v)
		return s, a
	}
	tcp, tcpAttr := str(AttrTCP)
	httpURL, httpAttr := str(AttrHTTP)
	timeout, timeoutAttr := str(AttrTimeout)
	if !ok {
		return nil, false
	}
	switch {
	case tcp != "" && httpURL != "":
		rng := httpAttr.Expr.Range()
		l.errorf(&rng, context, "Conflicting arguments", "ready_when takes either tcp or http, not both.")
		return nil, false
	case tcp == "" && httpURL == "":
		l.errorf(&nb.Block.DefRange, context, "Missing required argument",
			"ready_when needs tcp = \"HOST:PORT\" or http = \"URL\".")
		return nil, false
	case tcp != "":
		if _, port, err := net.SplitHostPort(tcp); err != nil || port == "" || validPort(port) != nil {
			rng := tcpAttr.Expr.Range()
			l.errorf(&rng, context, "Invalid tcp address", "%q is not HOST:PORT with a port from 1 to 65535, such as \"127.0.0.1:8443\".", tcp)
			return nil, false
		}
		rw.TCP = tcp
	default:
		u, err := url.Parse(httpURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			rng := httpAttr.Expr.Range()
			l.errorf(&rng, context, "Invalid http URL", "%q is not an http:// or https:// URL.", httpURL)
			return nil, false
		}
		rw.HTTP = httpURL
	}
	if timeoutAttr != nil && timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			rng := timeoutAttr.Expr.Range()
			l.errorf(&rng, context, "Invalid timeout", "%q is not a positive duration such as \"60s\".", timeout)
			return nil, false
		}
		rw.Timeout = d
	}
	return rw, true
}

// suggestRestart returns the restart policy p was probably meant to be
// ("on_failure", "On-Failure", "never"), or "".
func suggestRestart(p string) string {
	norm := strings.ToLower(strings.NewReplacer("_", "-", " ", "-").Replace(strings.TrimSpace(p)))
	switch norm {
	case RestartNo, "never", "none", "false", "off":
		return RestartNo
	case RestartOnFailure, "onfailure", "on-error", "unless-stopped-on-failure", "failure":
		return RestartOnFailure
	case RestartAlways, "true", "yes", "unless-stopped", "on":
		return RestartAlways
	}
	return ""
}
