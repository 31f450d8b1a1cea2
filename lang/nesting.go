package lang

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/internal/nesting"
)

// checkNesting refuses src, before it is parsed, when brackets nest deeper
// than nesting.Max.
func checkNesting(src []byte, filename string) *hcl.Diagnostic {
	i, line, col, deep := nesting.TooDeep(src)
	if !deep {
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Nesting too deep",
		Detail:   fmt.Sprintf("Brackets, braces and parentheses nest more than %d levels deep here. trustform refuses such files before parsing them; simplify the expression.", nesting.Max),
		Subject: &hcl.Range{Filename: filename,
			Start: hcl.Pos{Line: line, Column: col, Byte: i},
			End:   hcl.Pos{Line: line, Column: col + 1, Byte: i + 1}},
	}
}
