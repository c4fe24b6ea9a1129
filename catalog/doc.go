// Package catalog holds sowflow's service packages as versioned data, encoded
// from the source contracts in the shared seeds directory (000 DingTalk and
// Hybrid Base packages, 002 Managed Services, 003 Landing Zone).
//
// A [Catalog] is pure data: the packages, their phases, tasks and
// deliverables, acceptance rules, measurable thresholds, quotas, clocks,
// prerequisites, service hours and start options. Each package is a YAML
// file, packages/<code>.yaml, described by package.schema.json and listed in
// catalog.yaml; [ParseFile] reads one and places every error at its line and
// column, [Diff] compares two. [Default] returns the catalog of the files
// compiled into the binary; [Validate] checks a catalog at start-up
// and reports every problem with its place. [Catalog.Plan] resolves a package
// and its start options into the plan a project records, stamped with the
// catalog version, so that a later catalog never changes a running project.
//
// Wording conventions: fields named Text, Scope and Requirements quote the
// seed of their package verbatim (a test holds them against the seed files);
// fields named Note carry sowflow's own explanation, for example where a seed
// is ambiguous and how the catalog resolved it.
//
// Money: all amounts are list prices in whole US dollars (int64), never cents.
package catalog
