// Package lang reads a configuration directory (*.trust.hcl plus variable
// files), checks it against the schema of SPEC sections 3 and 4, and
// evaluates it in dependency order into a Config of plain Go values the
// planner can use without knowing HCL. Every problem is an hcl.Diagnostic
// with a source range on the offending token and, where there is one, the
// enclosing block as context.
//
// # Entry points
//
//   - Load(dir, Options) evaluates everything and returns a *Config.
//
// # How Load works
//
// Files are parsed in name order and their top level decoded with the
// schemas in schema.go (block and attribute names are constants there).
// Variables are evaluated first: they depend on nothing but their values,
// which come, lowest precedence first, from TRUSTFORM_VAR_NAME, the
// auto-loaded *.trustvars.hcl files in name order, then Options.Vars in
// command-line order. Values from the environment and -var are taken
// literally for primitive or untyped variables and parsed as HCL
// expressions otherwise, as Terraform does.
//
// Then, following the "interdependent blocks" pattern of the HCL guide, the
// references of every local, collection, resource and output are collected
// with Variables() and checked (undeclared names get "Did you mean"
// suggestions), a graph is built (graph.go, Tarjan's algorithm), every
// cycle is reported as one diagnostic naming each edge and its location,
// and the blocks are evaluated in topological order. Each block gets an
// EvalContext holding exactly the values it refers to, so the cost is
// linear in the number of references, not in the size of the
// configuration. A block that fails, or needs one that failed, is left out
// without follow-on errors.
//
// # Resources
//
// A resource is evaluated in two stages. First the arguments that decide
// its trust (developer_certificate_trust, certificate_trust_scope,
// certificate_authority_collections, container_certificate_paths) are
// evaluated without trust.* in scope. From them Resource.Trust is filled:
// when the scope is none, or the resource trusts neither the developer
// certificate nor any collection, Trust.Scope is "none" and the paths are
// empty; otherwise Trust.Scope is the effective scope and the paths are
// layout.BundlePath/CertsDir (processes) or
// layout.ContainerBundlePath/ContainerCertsDir of the destination
// (containers). Then every other argument is evaluated with trust.*
// available. Relative script, project, jar, binary and working_dir values
// are made absolute against the configuration directory.
//
// Resource.DependsOn holds every resource the block needs: explicit
// depends_on entries, direct references (TYPE.NAME...), and references made
// through locals and collections. DependsOnRanges gives, per address, the
// earliest reference in the block that led to it.
//
// # count and for_each
//
// A resource or collection block is one node of the graph however many
// instances it has. When it is evaluated, its count or for_each is
// evaluated first (repeat.go), then the body once per instance with
// count.index or each.key/each.value in scope. Instances get addresses
// from internal/addrs (TYPE.NAME[0], TYPE.NAME["key"]); a reference to the
// whole block is a tuple (count) or object (for_each) of instance objects,
// so splats and for expressions work as in Terraform. Once the blocks a
// node refers to are expanded, references with a literal key are checked
// against the instances that exist (checkInstanceRefs). A dependency on a
// block is a dependency on all its instances.
//
// # Outputs known after apply
//
// An output whose value depends on pid, container_id or since gets a
// deferred.Template (deferred.go): the value is evaluated again with
// sentinels in place of those attributes and read back into a tree of
// literals and references, verified against a second sentinel run. The
// plan carries it; apply fills it from state without reading HCL.
//
// # Sensitive values
//
// Values of sensitive variables carry a cty mark through every expression.
// Load records where they end up (Resource.SensitiveArgs, SensitiveEnv,
// SensitiveAttrs, TrustConfiguration.SensitiveArguments and
// SensitiveEnvironment) and stores only unmarked values in the Config.
//
// # Functions
//
// The cty standard library under Terraform's names (with Terraform's
// semantics for index, coalesce, length and replace), plus file,
// fileexists, abspath, basename, dirname and env. Relative paths are
// relative to the configuration directory; env reads Options.Environ and
// records every read in Config.EnvRead. No function has side effects.
package lang
