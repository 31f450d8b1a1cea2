package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Block types at the top level of a *.trust.hcl file.
const (
	BlockTrustform  = "trustform"
	BlockVariable   = "variable"
	BlockLocals     = "locals"
	BlockCollection = "certificate_authority_collection"
	BlockResource   = "resource"
	BlockOutput     = "output"
)

// Nested block types.
const (
	BlockValidation         = "validation"
	BlockTrustConfiguration = "certificate_trust_configuration"
	BlockReadyWhen          = "ready_when"
	BlockContainerPaths     = "container_certificate_paths"
)

// Attributes of the trustform block.
const (
	AttrDeveloperCertificateTrust = "developer_certificate_trust"
	AttrContainerRuntime          = "container_runtime"
)

// Attributes of variable, validation and output blocks.
const (
	AttrType         = "type"
	AttrDefault      = "default"
	AttrDescription  = "description"
	AttrSensitive    = "sensitive"
	AttrCondition    = "condition"
	AttrErrorMessage = "error_message"
	AttrValue        = "value"
)

// Attributes of certificate_authority_collection.
const (
	AttrCertificates = "certificates"
	AttrFiles        = "files"
)

// Attributes every resource type accepts.
const (
	AttrArgs                  = "args"
	AttrEnv                   = "env"
	AttrWorkingDir            = "working_dir"
	AttrStopTimeout           = "stop_timeout"
	AttrStartPeriod           = "start_period"
	AttrDependsOn             = "depends_on"
	AttrCollections           = "certificate_authority_collections"
	AttrCertificateTrustScope = "certificate_trust_scope"
	// AttrWatch lists files and glob patterns, relative to the
	// configuration directory, whose change makes up -watch replace the
	// resource.
	AttrWatch = "watch"
	// AttrRestart is the restart policy up honours: "no", "on-failure"
	// or "always".
	AttrRestart = "restart"
)

// Restart policies, the values of the restart argument.
const (
	RestartNo        = "no"
	RestartOnFailure = "on-failure"
	RestartAlways    = "always"
)

// Meta-arguments that repeat a resource or collection block, as in
// Terraform.
const (
	AttrCount   = "count"
	AttrForEach = "for_each"
)

// DefaultStartPeriod is start_period when a resource does not set it: how
// long apply watches a freshly started resource before it counts as
// created (SPEC 9).
const DefaultStartPeriod = "500ms"

// Attributes of certificate_trust_configuration and ready_when.
const (
	AttrArguments   = "arguments"
	AttrEnvironment = "environment"
	AttrTCP         = "tcp"
	AttrHTTP        = "http"
	AttrTimeout     = "timeout"
)

// Attributes of container_certificate_paths.
const (
	AttrDestination    = "custom_certificates_destination"
	AttrBundlePaths    = "default_certificate_bundle_paths"
	AttrDirectoryPaths = "default_certificate_directory_paths"
)

// Type-specific resource attributes are declared by each runtime's row
// (runtimes.Runtime.Attrs), not here.

// Computed resource attributes, readable as TYPE.NAME.ATTR.
const (
	AttrTrustBundlePath    = "trust_bundle_path"
	AttrTrustDirectoryPath = "trust_directory_path"
	AttrLogPath            = "log_path"
	AttrPID                = "pid"
	AttrContainerID        = "container_id"
	// AttrSince is when apply started the resource (RFC 3339), known
	// only after apply like pid and container_id.
	AttrSince = "since"
)

// Reference roots besides resource types.
const (
	RootVar        = "var"
	RootLocal      = "local"
	RootCollection = BlockCollection
	RootTrust      = "trust"
	RootDevcert    = "devcert"
	RootPath       = "path"
	// RootCount (count.index) and RootEach (each.key, each.value) exist
	// only inside a block that sets count or for_each.
	RootCount = "count"
	RootEach  = "each"
)

// Environment variables read by Load.
const (
	EnvDeveloperCertificateTrust = "TRUSTFORM_DEVELOPER_CERTIFICATE_TRUST"
	EnvVarPrefix                 = "TRUSTFORM_VAR_"
)

// File name suffixes.
const (
	ConfigSuffix = ".trust.hcl"
	VarsSuffix   = ".trustvars.hcl"
)

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: BlockTrustform},
		{Type: BlockVariable, LabelNames: []string{"name"}},
		{Type: BlockLocals},
		{Type: BlockCollection, LabelNames: []string{"name"}},
		{Type: BlockResource, LabelNames: []string{"type", "name"}},
		{Type: BlockOutput, LabelNames: []string{"name"}},
	},
}

var trustformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrDeveloperCertificateTrust},
		{Name: AttrContainerRuntime},
	},
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrType},
		{Name: AttrDefault},
		{Name: AttrDescription},
		{Name: AttrSensitive},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: BlockValidation}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrCondition, Required: true},
		{Name: AttrErrorMessage, Required: true},
	},
}

var collectionSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrCertificates},
		{Name: AttrFiles},
		{Name: AttrCount},
		{Name: AttrForEach},
	},
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrValue, Required: true},
		{Name: AttrDescription},
		{Name: AttrSensitive},
	},
}

var trustConfigurationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrArguments},
		{Name: AttrEnvironment},
	},
}

var readyWhenSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrTCP},
		{Name: AttrHTTP},
		{Name: AttrTimeout},
	},
}

var containerPathsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: AttrDestination},
		{Name: AttrBundlePaths},
		{Name: AttrDirectoryPaths},
	},
}

// attrKind says how an attribute is turned into Go.
type attrKind int

const (
	// kindPlain is converted as declared; it is the zero value.
	_ attrKind = iota
	// kindPath is a file path made absolute against the config directory.
	kindPath
	// kindSpecial attributes are evaluated by hand (depends_on,
	// certificate_authority_collections).
	kindSpecial
)

// attrSpec describes one resource argument.
type attrSpec struct {
	Name     string
	Type     cty.Type
	Required bool
	Kind     attrKind
	// Default is used when the argument is absent; cty.NilVal means null.
	Default cty.Value
	// row marks an argument from the runtime row (stored in
	// Resource.Attrs) rather than a common one.
	row bool
}

var listOfString = cty.List(cty.String)

// commonAttrs are accepted by every resource type.
var commonAttrs = []attrSpec{
	{Name: AttrArgs, Type: listOfString},
	{Name: AttrEnv, Type: cty.Map(cty.String)},
	{Name: AttrWorkingDir, Type: cty.String, Kind: kindPath},
	{Name: AttrStopTimeout, Type: cty.String, Default: cty.StringVal("10s")},
	{Name: AttrStartPeriod, Type: cty.String, Default: cty.StringVal(DefaultStartPeriod)},
	{Name: AttrDependsOn, Kind: kindSpecial},
	{Name: AttrCount, Kind: kindSpecial},
	{Name: AttrForEach, Kind: kindSpecial},
	{Name: AttrCollections, Kind: kindSpecial},
	{Name: AttrDeveloperCertificateTrust, Type: cty.Bool},
	{Name: AttrCertificateTrustScope, Type: cty.String},
	{Name: AttrWatch, Type: listOfString},
	{Name: AttrRestart, Type: cty.String, Default: cty.StringVal(RestartNo)},
}
