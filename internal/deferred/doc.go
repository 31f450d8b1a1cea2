// Package deferred carries output values that only apply can know (a pid,
// a container_id, a start time) from the plan to apply without HCL.
//
// lang evaluates such an output into a Template: a small tree whose leaves
// are either literal values (JSON with their cty type) or references to one
// attribute of one resource instance (Ref). Strings that mix text with such
// attributes, such as "pid ${executable.api.pid}", are a concatenation
// (Parts). The tree is JSON, so a saved plan stores it as is; apply (and
// plan, for resources that keep running) fills the references from state
// with Resolve and converts the result to the output's planned type.
//
// Only the shapes HCL builds from references without computing on them
// can be carried: direct references, lists, tuples, maps and objects of
// them (splats and for expressions), and string templates. lang checks a
// template against a second evaluation before using it, so an output that
// computes with a pid (pid + 1, upper(container_id)) is never carried
// wrong; it stays unknown instead.
package deferred
