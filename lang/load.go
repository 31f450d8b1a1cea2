package lang

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/trustform/trustform/internal/addrs"
	"github.com/trustform/trustform/internal/keys"
	"github.com/trustform/trustform/runtimes"
)

// Load reads and evaluates the configuration in dir.
//
// The returned Config is nil only when the directory could not be read or
// holds no configuration file. When the diagnostics hold errors the Config
// is partial: after a syntax error it holds only Dir and Files (for
// rendering source snippets); after an evaluation error, a block whose
// evaluation failed, or that depends on one that failed, is left out.
// Callers must check diags.HasErrors() before planning.
//
// Evaluation follows the "interdependent blocks" pattern of HCL: every
// block's references are collected with Variables(), a graph is built over
// locals, collections, resources and outputs, and blocks are evaluated in
// topological order with a context holding exactly the values each one
// references. Variables have no dependencies and are evaluated first.
func Load(dir string, opts Options) (*Config, hcl.Diagnostics) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid configuration directory", Detail: err.Error()}}
	}
	l := newLoader(abs, opts)
	if !l.parse() {
		if l.cfg.Files == nil {
			return nil, l.diags
		}
		return l.cfg, l.diags
	}
	l.declare()
	l.loadSettings()
	l.loadVariables()
	l.buildGraph()
	l.evaluate()
	l.finish()
	return l.cfg, l.diags
}

// loader holds the state of one Load call.
type loader struct {
	dir  string
	opts Options
	// askFailed is set once Options.Ask failed: nothing more is asked.
	askFailed bool
	environ   map[string]string
	cfg       *Config
	diags     hcl.Diagnostics
	parser    *hclparse.Parser
	files     []*hcl.File
	fs        *funcState
	funcs     map[string]function.Function

	settingsBlock *hcl.Block
	variables     map[string]*variableDecl
	locals        map[string]*hcl.Attribute
	collections   map[string]*collectionDecl
	resources     map[string]*resourceDecl
	outputs       map[string]*outputDecl
	schemas       map[string]*resourceSchema

	// Evaluated values, possibly carrying the sensitive mark.
	varVals   map[string]cty.Value
	localVals map[string]cty.Value
	collVals  map[string]cty.Value
	// resVals holds, by type and name, the value of a reference to a
	// resource block, built on first use (resourceVal).
	resVals map[string]map[string]cty.Value
	// expansions holds, per evaluated resource or collection block
	// (TYPE.NAME), the instances its count or for_each produced.
	expansions map[string]*repetition
	// instances holds every evaluated resource instance by block, for
	// outputs known only after apply (deferred.go).
	instances map[string][]*instance

	// failed holds addresses (var.x, local.y, ...) whose evaluation failed,
	// so dependants are skipped instead of reporting follow-on errors.
	failed map[string]bool

	g     *graph
	nodes map[string]*node
	// resDeps maps a node to the resources it needs, directly or through
	// locals and collections, with the range of the reference that led
	// there.
	resDeps map[string]map[string]hcl.Range

	devcertVal, pathVal cty.Value
	// consts holds the values of constant argument expressions, and
	// collNames the collections each constant collection list names.
	consts    constValues
	collNames map[string][]string
	// ctxGroups holds refGroups' objects by the names they hold.
	ctxGroups map[string]map[string]cty.Value

	// curContext is the block being evaluated, used as Diagnostic.Context
	// by helpers that do not know it.
	curContext *hcl.Range
}

func newLoader(dir string, opts Options) *loader {
	env := parseEnviron(opts.Environ)
	l := &loader{
		dir:         dir,
		opts:        opts,
		environ:     env,
		parser:      hclparse.NewParser(),
		variables:   map[string]*variableDecl{},
		locals:      map[string]*hcl.Attribute{},
		collections: map[string]*collectionDecl{},
		resources:   map[string]*resourceDecl{},
		outputs:     map[string]*outputDecl{},
		schemas:     map[string]*resourceSchema{},
		varVals:     map[string]cty.Value{},
		localVals:   map[string]cty.Value{},
		collVals:    map[string]cty.Value{},
		resVals:     map[string]map[string]cty.Value{},
		expansions:  map[string]*repetition{},
		instances:   map[string][]*instance{},
		failed:      map[string]bool{},
		nodes:       map[string]*node{},
		resDeps:     map[string]map[string]hcl.Range{},
	}
	l.fs = &funcState{dir: dir, environ: env, envRead: map[string]string{}, fileSource: map[string]string{}, read: map[string]bool{}}
	l.funcs = l.fs.functions()
	l.cfg = &Config{
		Dir:            dir,
		Variables:      map[string]*Variable{},
		Collections:    map[string]*Collection{},
		EnvRead:        l.fs.envRead,
		ResourceBlocks: map[string]addrs.KeyKind{},
		Settings:       Settings{DeveloperCertificateTrust: true, ContainerRuntime: "auto"},
	}
	l.devcertVal = cty.ObjectVal(map[string]cty.Value{
		"localhost": cty.ObjectVal(map[string]cty.Value{
			"cert_file": cty.StringVal(filepath.Join(opts.DevcertDir, "localhost.pem")),
			"key_file":  cty.StringVal(filepath.Join(opts.DevcertDir, "localhost-key.pem")),
		}),
		"ca_cert_file": cty.StringVal(filepath.Join(opts.DevcertDir, "ca.pem")),
	})
	l.pathVal = cty.ObjectVal(map[string]cty.Value{"root": cty.StringVal(dir)})
	return l
}

func (l *loader) errorf(subject *hcl.Range, context *hcl.Range, summary, detail string, args ...any) {
	if context == nil {
		context = l.curContext
	}
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  subject,
		Context:  context,
	})
}

func (l *loader) warnf(subject *hcl.Range, summary, detail string, args ...any) {
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  subject,
	})
}

// add appends diagnostics and reports whether they held no error.
func (l *loader) add(ds hcl.Diagnostics) bool {
	l.diags = append(l.diags, ds...)
	return !ds.HasErrors()
}

// blockRange covers a whole block, header to closing brace, for
// Diagnostic.Context.
func blockRange(b *hcl.Block) *hcl.Range {
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		r := hcl.RangeBetween(b.DefRange, sb.SrcRange)
		return &r
	}
	r := b.DefRange
	return &r
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

func (l *loader) parse() bool {
	names, diags := configFileNames(l.dir)
	if !l.add(diags) {
		return false
	}
	if len(names) == 0 {
		l.errorf(nil, nil, "No configuration files", "%s", noConfigDetail(l.dir))
		return false
	}
	ok := true
	for _, name := range names {
		if !l.add(parseFile(l.parser, l.dir, name)) {
			ok = false
		}
		if f := l.parser.Files()[name]; f != nil {
			l.files = append(l.files, f)
		}
	}
	l.cfg.Files = l.parser.Files()
	return ok
}

// declare decodes the top level of every file and records each block by
// address, reporting duplicates and unknown resource types.
func (l *loader) declare() {
	for _, f := range l.files {
		content, diags := f.Body.Content(fileSchema)
		l.add(diags)
		for _, b := range content.Blocks {
			switch b.Type {
			case BlockTrustform:
				if l.settingsBlock != nil {
					l.errorf(&b.DefRange, blockRange(b), "Duplicate trustform block",
						"Only one trustform block is allowed; the first is at %s. Merge their settings.", rangeString(l.settingsBlock.DefRange))
					continue
				}
				l.settingsBlock = b
			case BlockVariable:
				l.declareVariable(b)
			case BlockLocals:
				l.declareLocals(b)
			case BlockCollection:
				l.declareCollection(b)
			case BlockResource:
				l.declareResource(b)
			case BlockOutput:
				l.declareOutput(b)
			}
		}
	}
}

// checkName reports a label that is not a valid identifier, since it could
// never be referenced.
func (l *loader) checkName(b *hcl.Block, i int, what string) bool {
	name := b.Labels[i]
	if !validName(name) {
		l.errorf(&b.LabelRanges[i], blockRange(b), "Invalid "+what+" name",
			"%q is not a valid name: a name must start with a letter or underscore and may contain only letters, digits, underscores and dashes.", name)
		return false
	}
	return true
}

// validName is hclsyntax.ValidIdentifier, answered for an ASCII name by
// addrs.Identifier without running hclsyntax's lexer. Every resource has
// a name to check, and the lexer cost a thousand of them 1.4 ms.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return hclsyntax.ValidIdentifier(s)
		}
	}
	return addrs.Identifier(s)
}

func (l *loader) duplicate(b *hcl.Block, what, addr string, first hcl.Range) {
	l.errorf(&b.DefRange, blockRange(b), "Duplicate "+what,
		"%s is already declared at %s. Each name must be unique within the configuration directory; rename or remove one of them.", addr, rangeString(first))
}

func (l *loader) declareLocals(b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	l.add(diags)
	for _, name := range keys.Sorted(attrs) {
		a := attrs[name]
		if prev, ok := l.locals[name]; ok {
			l.errorf(&a.NameRange, blockRange(b), "Duplicate local value",
				"local.%s is already defined at %s. Rename or remove one of them.", name, rangeString(prev.NameRange))
			continue
		}
		l.locals[name] = a
	}
}

type outputDecl struct {
	Name  string
	Block *hcl.Block
	Attrs hcl.Attributes
}

func (l *loader) declareOutput(b *hcl.Block) {
	if !l.checkName(b, 0, "output") {
		return
	}
	name := b.Labels[0]
	if prev, ok := l.outputs[name]; ok {
		l.duplicate(b, "output", "output."+name, prev.Block.DefRange)
		return
	}
	content, diags := b.Body.Content(outputSchema)
	l.add(diags)
	l.outputs[name] = &outputDecl{Name: name, Block: b, Attrs: content.Attributes}
}

// node is one vertex of the evaluation graph.
type node struct {
	addr string
	// refs are the traversals the block makes, already checked to name
	// declared objects.
	refs []hcl.Traversal
	// valueRefs are the refs whose values expressions read: all but
	// depends_on's.
	valueRefs []hcl.Traversal
	// bad is set when a reference was invalid; the node is not evaluated.
	bad bool
	// context is the enclosing block, for Diagnostic.Context.
	context *hcl.Range
	// repeat is AttrCount or AttrForEach when the block sets it, so
	// count.* or each.* may be used in it.
	repeat string
	// inRepeatExpr is set while the count or for_each expression itself
	// is checked, where neither count.* nor each.* exists yet.
	inRepeatExpr bool

	local *hcl.Attribute
	coll  *collectionDecl
	res   *resourceDecl
	out   *outputDecl
}

// buildGraph collects the references of every block and adds one edge per
// referenced block.
func (l *loader) buildGraph() {
	l.g = newGraph()
	for _, name := range keys.Sorted(l.locals) {
		a := l.locals[name]
		n := &node{addr: "local." + name, local: a, context: &a.Range}
		l.addNode(n)
		l.collectRefs(n, a.Expr.Variables(), false, "")
	}
	for _, name := range keys.Sorted(l.collections) {
		c := l.collections[name]
		n := &node{addr: RootCollection + "." + name, coll: c, context: blockRange(c.Block), repeat: repeatBy(c.Attrs[AttrCount], c.Attrs[AttrForEach])}
		l.addNode(n)
		for _, a := range sortedAttrs(c.Attrs) {
			n.inRepeatExpr = a.Name == AttrCount || a.Name == AttrForEach
			l.collectRefs(n, a.Expr.Variables(), false, "")
		}
		n.inRepeatExpr = false
	}
	for _, addr := range keys.Sorted(l.resources) {
		r := l.resources[addr]
		n := &node{addr: addr, res: r, context: blockRange(r.Block), repeat: repeatBy(r.Attrs[AttrCount], r.Attrs[AttrForEach])}
		l.addNode(n)
		l.collectResourceRefs(n, r)
	}
	for _, name := range keys.Sorted(l.outputs) {
		o := l.outputs[name]
		n := &node{addr: "output." + name, out: o, context: blockRange(o.Block)}
		l.addNode(n)
		for _, a := range sortedAttrs(o.Attrs) {
			l.collectRefs(n, a.Expr.Variables(), false, "")
		}
	}
}

func (l *loader) addNode(n *node) {
	l.nodes[n.addr] = n
	l.g.add(n.addr)
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hcl.Attribute) int {
		if rangeBefore(a.Range, b.Range) {
			return -1
		}
		if rangeBefore(b.Range, a.Range) {
			return 1
		}
		return 0
	})
	return out
}

// referenceRoots are the names a traversal may start with, besides
// resource types, for suggestions.
var referenceRoots = []string{RootVar, RootLocal, RootCollection, RootTrust, RootDevcert, RootPath, RootCount, RootEach}

// collectRefs checks each traversal and records an edge for references to
// locals, collections and resources. inResource allows trust.*; trustWhy,
// when not empty, names the argument where trust.* is still not available.
func (l *loader) collectRefs(n *node, trs []hcl.Traversal, inResource bool, trustWhy string) {
	for _, tr := range trs {
		if l.checkRef(n, tr, inResource, false, trustWhy) {
			n.refs = append(n.refs, tr)
			n.valueRefs = append(n.valueRefs, tr)
		} else {
			n.bad = true
		}
	}
}

// refName returns the second step of a traversal (the NAME in var.NAME).
func refName(tr hcl.Traversal) (string, hcl.Range, bool) {
	if len(tr) < 2 {
		return "", hcl.Range{}, false
	}
	switch s := tr[1].(type) {
	case hcl.TraverseAttr:
		return s.Name, s.SrcRange, true
	}
	return "", hcl.Range{}, false
}

// checkRef reports whether tr names a declared object (with a diagnostic
// when not) and records n's dependency on it in the graph; orderOnly, for
// depends_on, orders n after it without needing its value.
func (l *loader) checkRef(n *node, tr hcl.Traversal, inResource, orderOnly bool, trustWhy string) bool {
	root := tr.RootName()
	rng := tr.SourceRange()
	name, _, hasName := refName(tr)
	needName := func(what string) bool {
		if !hasName {
			l.errorf(&rng, n.context, "Invalid reference",
				"A reference to %s must be followed by an attribute naming it, such as %s.NAME.", what, root)
			return false
		}
		return true
	}
	switch root {
	case RootVar:
		if !needName("a variable") {
			return false
		}
		if _, ok := l.variables[name]; !ok {
			l.errorf(&rng, n.context, "Reference to undeclared input variable",
				"An input variable named %q has not been declared. Declare it with a variable %q block.%s", name, name, didYouMean(name, keys.Sorted(l.variables)))
			return false
		}
		return true
	case RootLocal:
		if !needName("a local value") {
			return false
		}
		if _, ok := l.locals[name]; !ok {
			l.errorf(&rng, n.context, "Reference to undeclared local value",
				"A local value named %q has not been declared.%s", name, didYouMean(name, keys.Sorted(l.locals)))
			return false
		}
		l.g.connect(n.addr, "local."+name, rng)
		return true
	case RootCollection:
		if !needName("a certificate_authority_collection") {
			return false
		}
		if _, ok := l.collections[name]; !ok {
			l.errorf(&rng, n.context, "Reference to undeclared certificate_authority_collection",
				"A certificate_authority_collection named %q has not been declared.%s", name, didYouMean(name, keys.Sorted(l.collections)))
			return false
		}
		l.g.connect(n.addr, RootCollection+"."+name, rng)
		return true
	case RootTrust:
		if !inResource {
			l.errorf(&rng, n.context, "trust is only available inside a resource",
				"trust.bundle_path, trust.directories_path and trust.scope describe one resource's own trust material, so they can be used only in that resource's arguments.")
			return false
		}
		if trustWhy != "" {
			l.errorf(&rng, n.context, "trust is not available here",
				"%s decides the resource's trust, so it cannot refer to trust.* itself.", trustWhy)
			return false
		}
		return true
	case RootDevcert, RootPath:
		return true
	case RootCount, RootEach:
		return l.checkRepeatRef(n, tr, root, name, hasName)
	}
	if runtimes.Lookup(root) != nil {
		if !needName("a resource") {
			return false
		}
		addr := root + "." + name
		if _, ok := l.resources[addr]; !ok {
			l.errorf(&rng, n.context, "Reference to undeclared resource",
				"A resource %q has not been declared.%s", addr, didYouMean(addr, keys.Sorted(l.resources)))
			return false
		}
		if orderOnly {
			l.g.connectOrder(n.addr, addr, rng)
		} else {
			l.g.connect(n.addr, addr, rng)
		}
		return true
	}
	roots := append(append([]string{}, referenceRoots...), runtimes.Types()...)
	l.errorf(&rng, n.context, "Unknown reference",
		"There is nothing named %q. References start with var., local., certificate_authority_collection., a resource type, trust., devcert., path., count. or each..%s", root, didYouMean(root, roots))
	return false
}

// evaluate walks the graph in dependency order.
func (l *loader) evaluate() {
	comps := l.g.scc()
	inCycle := map[string]bool{}
	for _, edges := range l.g.cycles(comps) {
		l.reportCycle(edges)
		for _, e := range edges {
			inCycle[e.From] = true
		}
	}
	for _, comp := range comps {
		for _, i := range comp {
			addr := l.g.nodes[i]
			n := l.nodes[addr]
			l.propagateResDeps(i)
			if n == nil {
				continue
			}
			if inCycle[addr] || n.bad || l.dependencyFailed(n) {
				l.failed[addr] = true
				continue
			}
			var ok bool
			l.curContext = n.context
			if !l.checkInstanceRefs(n) {
				l.curContext = nil
				l.failed[addr] = true
				continue
			}
			switch {
			case n.local != nil:
				ok = l.evalLocal(n)
			case n.coll != nil:
				ok = l.evalCollection(n)
			case n.res != nil:
				ok = l.evalResource(n)
			case n.out != nil:
				ok = l.evalOutput(n)
			}
			l.curContext = nil
			if !ok {
				l.failed[addr] = true
			}
		}
	}
}

func (l *loader) reportCycle(edges []cycleEdge) {
	var lines []string
	for _, e := range edges {
		lines = append(lines, fmt.Sprintf("  %s depends on %s (%s)", e.From, e.To, rangeString(e.Range)))
	}
	names := map[string]bool{}
	for _, e := range edges {
		names[e.From] = true
	}
	first := edges[0].Range
	who := strings.Join(keys.Sorted(names), ", ") + " refer to each other in a cycle"
	if len(names) == 1 {
		who = edges[0].From + " refers to itself"
	}
	l.errorf(&first, nil, "Dependency cycle",
		"%s, so none of them can be evaluated first:\n%s\nRemove one of these references or depends_on entries to break the cycle.",
		who, strings.Join(lines, "\n"))
}

// dependencyFailed reports whether a node refers to anything whose
// evaluation failed (variables included).
func (l *loader) dependencyFailed(n *node) bool {
	for _, tr := range n.refs {
		root := tr.RootName()
		name, _, _ := refName(tr)
		var addr string
		switch {
		case root == RootVar:
			addr = "var." + name
		case root == RootLocal:
			addr = "local." + name
		case root == RootCollection, runtimes.Lookup(root) != nil:
			addr = root + "." + name
		default:
			continue
		}
		if l.failed[addr] {
			return true
		}
	}
	return false
}

// propagateResDeps computes the resources node i needs: resources it
// refers to, plus those needed by the locals and collections it refers to.
// Tarjan order guarantees targets were computed first.
func (l *loader) propagateResDeps(i int) {
	addr := l.g.nodes[i]
	deps := map[string]hcl.Range{}
	for _, t := range l.g.sortedTargets(i) {
		target := l.g.nodes[t]
		rng := l.g.out[i][t]
		if r := l.nodes[target]; r != nil && r.res != nil {
			setFirst(deps, target, rng)
			continue
		}
		for dep := range l.resDeps[target] {
			setFirst(deps, dep, rng)
		}
	}
	l.resDeps[addr] = deps
}

func setFirst(m map[string]hcl.Range, k string, r hcl.Range) {
	if old, ok := m[k]; ok && !rangeBefore(r, old) {
		return
	}
	m[k] = r
}

// evalContext returns a context holding exactly the values the traversals
// refer to, so building it costs no more than the references themselves.
func (l *loader) evalContext(refs []hcl.Traversal, trust *cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		RootDevcert: l.devcertVal,
		RootPath:    l.pathVal,
	}
	for root, v := range l.refGroups(refs) {
		vars[root] = v
	}
	if trust != nil {
		vars[RootTrust] = *trust
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.funcs}
}

// refGroups returns, per root (var, local, a collection or resource
// type), the object of the values refs name. A value never changes once
// evaluated, and nothing is evaluated before what it refers to, so the
// objects for one list of names are built once: a thousand resources
// naming the same collection share them. A list naming a value that is
// not there (it failed) is built every time.
func (l *loader) refGroups(refs []hcl.Traversal) map[string]cty.Value {
	var key strings.Builder
	for _, tr := range refs {
		if name, _, ok := refName(tr); ok {
			key.WriteString(tr.RootName())
			key.WriteByte('.')
			key.WriteString(name)
			key.WriteByte(0)
		}
	}
	if g, ok := l.ctxGroups[key.String()]; ok {
		return g
	}
	complete := true
	groups := map[string]map[string]cty.Value{}
	put := func(root, name string, v cty.Value) {
		m := groups[root]
		if m == nil {
			m = map[string]cty.Value{}
			groups[root] = m
		}
		m[name] = v
	}
	for _, tr := range refs {
		root := tr.RootName()
		name, _, ok := refName(tr)
		if !ok {
			continue
		}
		var v cty.Value
		found := false
		switch {
		case root == RootVar:
			v, found = l.varVals[name]
		case root == RootLocal:
			v, found = l.localVals[name]
		case root == RootCollection:
			v, found = l.collVals[name]
		case runtimes.Lookup(root) != nil:
			v, found = l.resourceVal(root, name)
		default:
			// count, each, trust, path, devcert: not a value of a block.
			continue
		}
		if !found {
			complete = false
			continue
		}
		put(root, name, v)
	}
	out := make(map[string]cty.Value, len(groups))
	for root, m := range groups {
		out[root] = cty.ObjectVal(m)
	}
	if complete {
		if l.ctxGroups == nil {
			l.ctxGroups = map[string]map[string]cty.Value{}
		}
		l.ctxGroups[key.String()] = out
	}
	return out
}

func (l *loader) evalLocal(n *node) bool {
	v, diags := n.local.Expr.Value(l.evalContext(n.refs, nil))
	if !l.add(diags) {
		return false
	}
	l.localVals[strings.TrimPrefix(n.addr, "local.")] = v
	return true
}

func (l *loader) evalOutput(n *node) bool {
	o := n.out
	out := &Output{Name: o.Name, DeclRange: o.Block.DefRange, Value: cty.NullVal(cty.DynamicPseudoType)}
	ok := true
	if a := o.Attrs[AttrDescription]; a != nil {
		out.Description, ok = l.literalString(a)
	}
	if a := o.Attrs[AttrSensitive]; a != nil {
		var ok2 bool
		out.Sensitive, ok2 = l.literalBool(a)
		ok = ok && ok2
	}
	a := o.Attrs[AttrValue]
	if a == nil {
		return false
	}
	v, diags := a.Expr.Value(l.evalContext(n.refs, nil))
	if !l.add(diags) {
		return false
	}
	if v.ContainsMarked() && !out.Sensitive {
		rng := a.Expr.Range()
		l.errorf(&rng, blockRange(o.Block), "Output refers to sensitive values",
			"The value of output %q is derived from a sensitive variable. Add sensitive = true to the output block to confirm it may be stored, and it will be hidden in plans.", o.Name)
		return false
	}
	out.Value, _ = v.UnmarkDeep()
	if !out.Value.IsWhollyKnown() {
		out.Template = l.outputTemplate(n, a.Expr, out.Value)
		if out.Template == nil {
			rng := a.Expr.Range()
			l.warnf(&rng, "Output value cannot be computed after apply",
				"The value of output %q depends on pid, container_id or since in a way a saved plan cannot carry (for example by computing with it), so apply will leave it unset. Refer to the attribute directly, or inside a string, list or map.", o.Name)
		}
	}
	if !ok {
		return false
	}
	l.cfg.Outputs = append(l.cfg.Outputs, out)
	return true
}

// literalString evaluates an attribute that must be a constant string.
func (l *loader) literalString(a *hcl.Attribute) (string, bool) {
	v, diags := a.Expr.Value(nil)
	if !l.add(diags) {
		return "", false
	}
	s, ok := l.convertString(a, v)
	return s, ok
}

func (l *loader) literalBool(a *hcl.Attribute) (bool, bool) {
	v, diags := a.Expr.Value(nil)
	if !l.add(diags) {
		return false, false
	}
	v, ok := l.convert(a.Expr.Range(), a.Name, v, cty.Bool)
	if !ok || v.IsNull() || !v.IsKnown() {
		return false, ok
	}
	return v.True(), true
}

func (l *loader) convertString(a *hcl.Attribute, v cty.Value) (string, bool) {
	v, ok := l.convert(a.Expr.Range(), a.Name, v, cty.String)
	if !ok || v.IsNull() || !v.IsKnown() {
		return "", ok
	}
	v, _ = v.Unmark()
	return v.AsString(), true
}

// finish sorts results and lets the syntax trees go.
func (l *loader) finish() {
	l.cfg.Files = compactFiles(l.cfg.Files)
	l.cfg.Inputs = keys.Sorted(l.fs.read)
	sort.Slice(l.cfg.Resources, func(i, j int) bool { return l.cfg.Resources[i].Address < l.cfg.Resources[j].Address })
	sort.Slice(l.cfg.Outputs, func(i, j int) bool { return l.cfg.Outputs[i].Name < l.cfg.Outputs[j].Name })
}
