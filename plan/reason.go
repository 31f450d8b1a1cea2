package plan

import (
	"fmt"
	"strings"
)

// ActionReason says why a resource gets its action, in Terraform's terms
// (its plan JSON field action_reason), so a reviewer reading a delete sees
// whether the resource left the configuration or only lost an instance.
type ActionReason string

// Action reasons, with Terraform's JSON names. The zero value means no
// particular reason (a create, an update, a -destroy plan).
const (
	// ReasonNoResourceConfig: the resource is in state but no longer in
	// the configuration.
	ReasonNoResourceConfig ActionReason = "delete_because_no_resource_config"
	// ReasonWrongRepetition: the instance key does not fit the resource's
	// count or for_each (an indexed instance of a resource without count,
	// or the reverse).
	ReasonWrongRepetition ActionReason = "delete_because_wrong_repetition"
	// ReasonCountIndex: the index is beyond the resource's count.
	ReasonCountIndex ActionReason = "delete_because_count_index"
	// ReasonEachKey: the key is no longer in the for_each map or set.
	ReasonEachKey ActionReason = "delete_because_each_key"
	// ReasonTainted: a start that never finished must be replaced.
	ReasonTainted ActionReason = "replace_because_tainted"
	// ReasonCannotUpdate: something the running process sees changed.
	ReasonCannotUpdate ActionReason = "replace_because_cannot_update"
)

// instanceKey splits "TYPE.NAME[KEY]" into "TYPE.NAME" and "[KEY]" (the
// brackets kept, as Terraform prints them); key is "" for an address
// without one.
func instanceKey(addr string) (base, key string) {
	if i := strings.IndexByte(addr, '['); i > 0 && strings.HasSuffix(addr, "]") {
		return addr[:i], addr[i:]
	}
	return addr, ""
}

// keyKind is how a resource's instances are keyed: "" (single), "int"
// (count) or "string" (for_each).
func keyKind(key string) string {
	switch {
	case key == "":
		return ""
	case strings.HasPrefix(key, `["`):
		return "string"
	}
	return "int"
}

// deleteReason says why a resource in state but not planned from the
// configuration is deleted. kinds maps each configured TYPE.NAME to how
// its instances are keyed.
func deleteReason(addr string, kinds map[string]string) ActionReason {
	base, key := instanceKey(addr)
	kind, declared := kinds[base]
	switch {
	case !declared:
		return ReasonNoResourceConfig
	case keyKind(key) != kind:
		return ReasonWrongRepetition
	case kind == "int":
		return ReasonCountIndex
	case kind == "string":
		return ReasonEachKey
	}
	return ReasonNoResourceConfig
}

// reasonLine is the "# (because ...)" line under a resource's header in
// the human plan, in Terraform's words; "" when there is nothing to add.
func reasonLine(ch *Change) string {
	base, key := instanceKey(ch.Address)
	switch ch.ActionReason {
	case ReasonNoResourceConfig:
		return fmt.Sprintf("(because %s is not in configuration)", base)
	case ReasonCountIndex:
		return fmt.Sprintf("(because index %s is out of range for count)", key)
	case ReasonEachKey:
		return fmt.Sprintf("(because key %s is not in for_each map)", key)
	case ReasonWrongRepetition:
		switch keyKind(key) {
		case "":
			return "(because resource uses count or for_each)"
		case "int":
			return "(because resource does not use count)"
		}
		return "(because resource does not use for_each)"
	}
	if ch.Action == Create && len(ch.Reasons) == 1 && ch.Reasons[0] == "drift" {
		return "(because it is no longer running)"
	}
	return ""
}
