package lang

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/trustform/trustform/internal/keys"
)

type variableDecl struct {
	Name        string
	Block       *hcl.Block
	Attrs       hcl.Attributes
	Validations []*hcl.Block
	Type        cty.Type
	Defaults    *typeexpr.Defaults
	// ok is false when the declaration itself is broken.
	ok bool
}

func (l *loader) declareVariable(b *hcl.Block) {
	if !l.checkName(b, 0, "variable") {
		return
	}
	name := b.Labels[0]
	if prev, ok := l.variables[name]; ok {
		l.duplicate(b, "variable", "var."+name, prev.Block.DefRange)
		return
	}
	content, diags := b.Body.Content(variableSchema)
	l.add(diags)
	d := &variableDecl{Name: name, Block: b, Attrs: content.Attributes, Type: cty.DynamicPseudoType, ok: true}
	for _, vb := range content.Blocks {
		d.Validations = append(d.Validations, vb)
	}
	l.variables[name] = d
}

// rawValue is a variable value before conversion, with where it came from.
type rawValue struct {
	Value cty.Value
	Range hcl.Range
}

// loadVariables decodes every declaration, gathers values from all sources
// in precedence order, converts and validates them.
func (l *loader) loadVariables() {
	raw := map[string]rawValue{}
	names := keys.Sorted(l.variables)

	for _, name := range names {
		d := l.variables[name]
		if a := d.Attrs[AttrType]; a != nil {
			ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
			if l.add(diags) {
				d.Type, d.Defaults = ty, defaults
			} else {
				d.ok = false
			}
		}
	}

	// Lowest precedence: TRUSTFORM_VAR_NAME.
	for _, name := range names {
		if s, ok := l.environ[EnvVarPrefix+name]; ok {
			rng := syntheticRange(fmt.Sprintf("<value for var.%s from %s%s>", name, EnvVarPrefix, name))
			if v, ok := l.parseCLIValue(l.variables[name], s, rng); ok {
				raw[name] = rawValue{v, rng}
			}
		}
	}
	// Auto-loaded variable files in name order.
	for _, f := range l.autoVarFiles() {
		l.readVarFile(f, raw)
	}
	// Command line, in the order given.
	for _, vf := range l.opts.Vars {
		if vf.File != "" {
			l.readVarFile(vf.File, raw)
			continue
		}
		rng := syntheticRange(fmt.Sprintf("<value for var.%s from -var>", vf.Name))
		d := l.variables[vf.Name]
		if d == nil {
			l.errorf(nil, nil, "Value for undeclared variable",
				"A variable named %q was assigned on the command line with -var, but the configuration declares no such variable.%s Declare it with a variable block or remove the -var option.",
				vf.Name, didYouMean(vf.Name, names))
			continue
		}
		if v, ok := l.parseCLIValue(d, vf.Value, rng); ok {
			raw[vf.Name] = rawValue{v, rng}
		}
	}

	for _, name := range names {
		l.finishVariable(l.variables[name], raw)
	}
}

func syntheticRange(name string) hcl.Range {
	return hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}
}

// parseCLIValue interprets a value from the environment or -var like
// Terraform: taken literally for primitive and untyped variables, parsed as
// an HCL expression for collections and objects.
func (l *loader) parseCLIValue(d *variableDecl, s string, rng hcl.Range) (cty.Value, bool) {
	if d.Type == cty.DynamicPseudoType || d.Type.IsPrimitiveType() {
		return cty.StringVal(s), true
	}
	if d := checkNesting([]byte(s), rng.Filename); d != nil {
		l.add(hcl.Diagnostics{d})
		return cty.NilVal, false
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), rng.Filename, hcl.InitialPos)
	if !l.add(diags) {
		return cty.NilVal, false
	}
	v, diags := expr.Value(nil)
	if !l.add(diags) {
		return cty.NilVal, false
	}
	return v, true
}

// autoVarFiles lists *.trustvars.hcl in the configuration directory, in
// name order.
func (l *loader) autoVarFiles() []string {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), VarsSuffix) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// readVarFile reads NAME = VALUE assignments. Relative paths are relative
// to the configuration directory, as -chdir makes it the working directory.
func (l *loader) readVarFile(name string, raw map[string]rawValue) {
	if _, ok := l.parser.Files()[name]; !ok {
		if !l.add(parseFile(l.parser, l.dir, name)) {
			return
		}
	}
	f := l.parser.Files()[name]
	if f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.add(diags)
	for _, a := range sortedAttrs(attrs) {
		d := l.variables[a.Name]
		if d == nil {
			l.warnf(&a.NameRange, "Value for undeclared variable",
				"The variable file assigns %q, but the configuration declares no such variable, so the value is ignored.%s",
				a.Name, didYouMean(a.Name, keys.Sorted(l.variables)))
			continue
		}
		v, diags := a.Expr.Value(nil)
		if !l.add(diags) {
			continue
		}
		raw[a.Name] = rawValue{v, a.Expr.Range()}
	}
}

func (l *loader) finishVariable(d *variableDecl, raw map[string]rawValue) {
	addr := "var." + d.Name
	v := &Variable{Name: d.Name, Type: d.Type, DeclRange: d.Block.DefRange}
	ok := d.ok
	if a := d.Attrs[AttrDescription]; a != nil {
		s, ok2 := l.literalString(a)
		v.Description, ok = s, ok && ok2
	}
	if a := d.Attrs[AttrSensitive]; a != nil {
		b, ok2 := l.literalBool(a)
		v.Sensitive, ok = b, ok && ok2
	}
	if !ok {
		l.failed[addr] = true
		return
	}

	var val cty.Value
	var rng hcl.Range
	if rv, has := raw[d.Name]; has {
		val, rng = rv.Value, rv.Range
	} else if a := d.Attrs[AttrDefault]; a != nil {
		dv, diags := a.Expr.Value(nil)
		if !l.add(diags) {
			l.failed[addr] = true
			return
		}
		val, rng = dv, a.Expr.Range()
	} else if l.askFailed {
		// The user ended the prompts (Ctrl-D, Ctrl-C): one error says so.
		l.failed[addr] = true
		return
	} else if l.opts.Ask != nil {
		typed, err := l.opts.Ask(VariablePrompt{Name: d.Name, Description: v.Description})
		if err != nil {
			l.askFailed = true
			l.errorf(&d.Block.DefRange, blockRange(d.Block), "No value for required variable",
				"The variable %q has no default value and was not set, and reading it from the terminal failed: %v. Set it with -var '%s=VALUE', in a %s file, or with the environment variable %s%s.",
				d.Name, err, d.Name, VarsSuffix, EnvVarPrefix, d.Name)
			l.failed[addr] = true
			return
		}
		rng = syntheticRange(fmt.Sprintf("<value for var.%s from the prompt>", d.Name))
		pv, ok := l.parseCLIValue(d, typed, rng)
		if !ok {
			l.failed[addr] = true
			return
		}
		val = pv
		// Conversion errors below point at the prompt, not the default.
		raw[d.Name] = rawValue{pv, rng}
	} else if l.opts.AllowUnset {
		// Said, so that a clean validate is not read as "everything was
		// checked": what refers to the variable is not evaluated.
		l.warnf(&d.Block.DefRange, "Variable not set, not all checked",
			"The variable %q has no value, so the resources, locals and outputs that refer to it were not evaluated: only their syntax, names and references were checked. Set it with -var '%s=VALUE' (or a %s file, or %s%s) to check them too.",
			d.Name, d.Name, VarsSuffix, EnvVarPrefix, d.Name)
		l.failed[addr] = true
		return
	} else {
		l.errorf(&d.Block.DefRange, blockRange(d.Block), "No value for required variable",
			"The variable %q has no default value and was not set. Set it with -var '%s=VALUE', in a %s file, or with the environment variable %s%s.",
			d.Name, d.Name, VarsSuffix, EnvVarPrefix, d.Name)
		l.failed[addr] = true
		return
	}

	if d.Defaults != nil && !val.IsNull() {
		val = d.Defaults.Apply(val)
	}
	cv, err := convert.Convert(val, d.Type)
	if err != nil {
		// The declaration encloses the value only when it is the default.
		var context *hcl.Range
		if _, fromElsewhere := raw[d.Name]; !fromElsewhere {
			context = blockRange(d.Block)
		}
		l.errorf(&rng, context, "Invalid value for variable",
			"The value for var.%s is not %s: %s.", d.Name, typeName(d.Type), err)
		l.failed[addr] = true
		return
	}
	if v.Sensitive {
		cv = cv.Mark(sensitiveMark)
	}
	if !l.validateVariable(d, cv) {
		l.failed[addr] = true
		return
	}
	l.varVals[d.Name] = cv
	v.Value, _ = cv.UnmarkDeep()
	l.cfg.Variables[d.Name] = v
}

// validateVariable evaluates the validation blocks with only the variable
// itself in scope.
func (l *loader) validateVariable(d *variableDecl, val cty.Value) bool {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{RootVar: cty.ObjectVal(map[string]cty.Value{d.Name: val})},
		Functions: l.funcs,
	}
	ok := true
	for _, vb := range d.Validations {
		content, diags := vb.Body.Content(validationSchema)
		if !l.add(diags) {
			ok = false
			continue
		}
		cond, msg := content.Attributes[AttrCondition], content.Attributes[AttrErrorMessage]
		for _, tr := range cond.Expr.Variables() {
			if name, _, _ := refName(tr); tr.RootName() != RootVar || name != d.Name {
				rng := tr.SourceRange()
				l.errorf(&rng, blockRange(vb), "Invalid reference in variable validation",
					"A validation condition may refer only to the variable it validates, var.%s.", d.Name)
				ok = false
			}
		}
		if !ok {
			continue
		}
		cv, diags := cond.Expr.Value(ctx)
		if !l.add(diags) {
			ok = false
			continue
		}
		cv, _ = cv.UnmarkDeep()
		condRange := cond.Expr.Range()
		cv, err := convert.Convert(cv, cty.Bool)
		if err != nil || cv.IsNull() {
			l.errorf(&condRange, blockRange(vb), "Invalid validation condition",
				"The condition must be true or false.")
			ok = false
			continue
		}
		if !cv.IsKnown() || cv.True() {
			continue
		}
		text := "Invalid value for variable."
		if mv, diags := msg.Expr.Value(ctx); !diags.HasErrors() {
			mv, _ = mv.UnmarkDeep()
			if s, err := convert.Convert(mv, cty.String); err == nil && s.IsKnown() && !s.IsNull() {
				text = s.AsString()
			}
		}
		l.errorf(&condRange, blockRange(vb), "Invalid value for variable",
			"%s\n\nThis was checked by the validation rule at %s.", text, rangeString(vb.DefRange))
		ok = false
	}
	return ok
}

// loadSettings decodes the trustform block and applies the environment
// override of developer_certificate_trust.
func (l *loader) loadSettings() {
	s := &l.cfg.Settings
	if b := l.settingsBlock; b != nil {
		s.DeclRange = b.DefRange
		content, diags := b.Body.Content(trustformSchema)
		l.add(diags)
		if a := content.Attributes[AttrDeveloperCertificateTrust]; a != nil {
			if v, ok := l.literalBool(a); ok {
				s.DeveloperCertificateTrust = v
			}
		}
		if a := content.Attributes[AttrContainerRuntime]; a != nil {
			if v, ok := l.literalString(a); ok {
				switch v {
				case "auto", "docker", "podman":
					s.ContainerRuntime = v
				default:
					rng := a.Expr.Range()
					l.errorf(&rng, blockRange(b), "Invalid container_runtime",
						"container_runtime must be one of \"auto\", \"docker\" or \"podman\", not %q.%s", v, didYouMean(v, []string{"auto", "docker", "podman"}))
				}
			}
		}
	}
	if v, ok := l.environ[EnvDeveloperCertificateTrust]; ok && v != "" {
		switch strings.ToLower(v) {
		case "true", "1":
			s.DeveloperCertificateTrust = true
		case "false", "0":
			s.DeveloperCertificateTrust = false
		default:
			l.errorf(nil, nil, "Invalid "+EnvDeveloperCertificateTrust,
				"The environment variable %s is %q; it must be true, false, 1 or 0.", EnvDeveloperCertificateTrust, v)
		}
	}
}
