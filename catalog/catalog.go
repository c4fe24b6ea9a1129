package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Version is the version of the catalog compiled into this binary. Bump it
// whenever the data changes: projects record the version they started on,
// and a test pins the content digest of each released version.
const Version = "2026-12-02.2"

// ErrUnknownPackage is returned (wrapped) for a package code the catalog
// does not hold.
var ErrUnknownPackage = errors.New("unknown package")

// Catalog is a versioned set of packages. Build one with [New] or [Default];
// the zero value is an empty catalog.
type Catalog struct {
	// Version identifies the catalog's content, e.g. "2026-11-23.1".
	Version string

	packages []Package
	index    map[string]int
	digest   string
	// versions holds each package's version number and digest, by code.
	versions map[string]PackageVersion
}

// PackageVersion names one version of a package: its number (the package
// compiled into the binary is version 1 of its code; uploaded versions
// follow) and the digest of its canonical form ([PackageDigest]).
type PackageVersion struct {
	Version int    `json:"version"`
	Digest  string `json:"digest"`
}

// Versioned is a package at a version number other than the compiled-in
// one, for [Catalog.WithVersions].
type Versioned struct {
	Version int
	Package Package
}

// New builds a catalog from packages, in the given order. It does not
// validate them: call [Validate]. When codes repeat, lookups find the first.
func New(version string, packages []Package) *Catalog {
	c := &Catalog{Version: version, index: make(map[string]int, len(packages)), versions: make(map[string]PackageVersion, len(packages))}
	for _, p := range packages {
		p = clonePackage(p)
		normalize(&p)
		if _, dup := c.index[p.Code]; !dup {
			c.index[p.Code] = len(c.packages)
			c.versions[p.Code] = PackageVersion{Version: 1, Digest: PackageDigest(p)}
		}
		c.packages = append(c.packages, p)
	}
	c.digest = digestOf(c.packages)
	return c
}

// WithVersions returns a new catalog at version holding c's packages, each
// code of vs replaced by its version there; a code c does not hold is added
// after c's packages, in the order of vs. Neither c nor vs is changed.
func (c *Catalog) WithVersions(version string, vs []Versioned) *Catalog {
	pkgs := c.Packages()
	for _, v := range vs {
		if i, ok := c.index[v.Package.Code]; ok {
			pkgs[i] = v.Package
			continue
		}
		pkgs = append(pkgs, v.Package)
	}
	out := New(version, pkgs)
	for _, v := range vs {
		p := out.packages[out.index[v.Package.Code]]
		out.versions[p.Code] = PackageVersion{Version: v.Version, Digest: PackageDigest(p)}
	}
	return out
}

// PackageVersion returns the version number and digest of the package with
// the given code.
func (c *Catalog) PackageVersion(code string) (PackageVersion, bool) {
	v, ok := c.versions[code]
	return v, ok
}

// CanonicalJSON is the canonical form of a package: its JSON with the
// fields in declaration order, lists never null and no insignificant
// space. Two files that say the same thing in other words (key order,
// comments, YAML or JSON) have the same canonical form.
func CanonicalJSON(p Package) []byte {
	p = clonePackage(p)
	b, err := json.Marshal(p)
	if err != nil {
		// A package holds only strings, numbers, bools, slices and
		// pointers to such: encoding cannot fail.
		panic(fmt.Sprintf("catalog: encode package %s: %v", p.Code, err))
	}
	return b
}

// PackageDigest returns "sha256:" and the hex SHA-256 of the package's
// canonical form ([CanonicalJSON]): the digest a package version is
// audited, published and run under.
func PackageDigest(p Package) string {
	sum := sha256.Sum256(CanonicalJSON(p))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Default returns the catalog compiled into the binary (the package files
// of [Embedded]), at [Version]. Each call builds a fresh catalog that the
// caller owns. It panics if the compiled-in files are defective, which the
// package's tests rule out.
func Default() *Catalog {
	c, err := Embedded()
	if err != nil {
		panic(err)
	}
	return c
}

// Package returns a copy of the package with the given code.
func (c *Catalog) Package(code string) (Package, bool) {
	i, ok := c.index[code]
	if !ok {
		return Package{}, false
	}
	return clonePackage(c.packages[i]), true
}

// Packages returns copies of all packages in catalog order.
func (c *Catalog) Packages() []Package {
	out := make([]Package, len(c.packages))
	for i, p := range c.packages {
		out[i] = clonePackage(p)
	}
	return out
}

// Codes returns the package codes in catalog order.
func (c *Catalog) Codes() []string {
	out := make([]string, len(c.packages))
	for i, p := range c.packages {
		out[i] = p.Code
	}
	return out
}

// Digest returns "sha256:" and the hex SHA-256 of the packages' JSON. Two
// catalogs with the same digest hold the same data.
func (c *Catalog) Digest() string { return c.digest }

// lookup returns the catalog's own package (no copy) or ErrUnknownPackage.
func (c *Catalog) lookup(code string) (*Package, error) {
	i, ok := c.index[code]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownPackage, code)
	}
	return &c.packages[i], nil
}

type catalogJSON struct {
	Version  string    `json:"version"`
	Digest   string    `json:"digest"`
	Packages []Package `json:"packages"`
}

// MarshalJSON encodes the catalog as {"version", "digest", "packages"}.
func (c *Catalog) MarshalJSON() ([]byte, error) {
	pkgs := c.packages
	if pkgs == nil {
		pkgs = []Package{}
	}
	return json.Marshal(catalogJSON{Version: c.Version, Digest: c.digest, Packages: pkgs})
}

// UnmarshalJSON decodes what MarshalJSON encodes. The digest is recomputed
// from the packages, not trusted from the input.
func (c *Catalog) UnmarshalJSON(b []byte) error {
	var in catalogJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("decode catalog: %w", err)
	}
	*c = *New(in.Version, in.Packages)
	return nil
}

// Plan is a package resolved for one project: the package as the project's
// start options shape it, stamped with the catalog version it came from. A
// project keeps its plan; a newer catalog never changes it.
type Plan struct {
	CatalogVersion string `json:"catalog_version"`
	CatalogDigest  string `json:"catalog_digest"`
	// PackageVersion and PackageDigest name the version of the package the
	// plan was resolved from ([Catalog.PackageVersion]).
	PackageVersion int     `json:"package_version"`
	PackageDigest  string  `json:"package_digest"`
	Options        Options `json:"options"`
	// Package is the package with the tasks and prerequisites that the
	// options do not select removed.
	Package Package `json:"package"`
}

// Plan checks opts against the package's option rules and resolves the
// package into a plan.
func (c *Catalog) Plan(code string, opts Options) (Plan, error) {
	p, err := c.lookup(code)
	if err != nil {
		return Plan{}, err
	}
	if err := p.CheckOptions(opts); err != nil {
		return Plan{}, err
	}
	opts = p.normalizeOptions(opts)
	out := clonePackage(*p)
	for i := range out.Phases {
		tasks := out.Phases[i].Tasks[:0]
		for _, t := range out.Phases[i].Tasks {
			if t.When == nil || opts.matches(*t.When) {
				tasks = append(tasks, t)
			}
		}
		out.Phases[i].Tasks = tasks
	}
	prereqs := out.Prerequisites[:0]
	for _, pr := range out.Prerequisites {
		if pr.When == nil || opts.matches(*pr.When) {
			prereqs = append(prereqs, pr)
		}
	}
	out.Prerequisites = prereqs
	v := c.versions[code]
	return Plan{CatalogVersion: c.Version, CatalogDigest: c.digest, PackageVersion: v.Version, PackageDigest: v.Digest, Options: opts, Package: out}, nil
}

// Digest returns "sha256:" and the hex SHA-256 of the plan's content: the
// JSON (fields in declaration order, no insignificant space) of its options
// and resolved package. The catalog stamp is left out, so the digest changes
// only when what the project runs changes. Two plans with the same digest
// run the same.
func (p Plan) Digest() string {
	b, err := json.Marshal(struct {
		Options Options `json:"options"`
		Package Package `json:"package"`
	}{p.Options, p.Package})
	if err != nil {
		// A plan holds only strings, numbers, bools, slices and pointers
		// to such: encoding cannot fail.
		panic(fmt.Sprintf("catalog: encode plan of %s: %v", p.Package.Code, err))
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Phase returns the phase with the given key.
func (p Package) Phase(key string) (Phase, bool) {
	for _, ph := range p.Phases {
		if ph.Key == key {
			return ph, true
		}
	}
	return Phase{}, false
}

// PhaseKeys returns the phase keys in order.
func (p Package) PhaseKeys() []string {
	out := make([]string, len(p.Phases))
	for i, ph := range p.Phases {
		out[i] = ph.Key
	}
	return out
}

// Deliverable returns the deliverable with the given key and the key of the
// phase that owes it.
func (p Package) Deliverable(key string) (d Deliverable, phase string, ok bool) {
	for _, ph := range p.Phases {
		for _, d := range ph.Deliverables {
			if d.Key == key {
				return d, ph.Key, true
			}
		}
	}
	return Deliverable{}, "", false
}

// Quota returns the quota with the given key.
func (p Package) Quota(key string) (Quota, bool) {
	for _, q := range p.Quotas {
		if q.Key == key {
			return q, true
		}
	}
	return Quota{}, false
}

// Clock returns the clock with the given key.
func (p Package) Clock(key string) (Clock, bool) {
	for _, c := range p.Clocks {
		if c.Key == key {
			return c, true
		}
	}
	return Clock{}, false
}

// ThresholdsFor returns the thresholds a submission of the deliverable must
// meet, in catalog order.
func (p Package) ThresholdsFor(deliverable string) []Threshold {
	var out []Threshold
	for _, t := range p.Thresholds {
		if t.Deliverable == deliverable {
			out = append(out, t)
		}
	}
	return out
}

// ThresholdError reports a measured value that misses (or lacks) a threshold.
type ThresholdError struct {
	Threshold Threshold
	// Measured is the submitted value; Missing is true when none was given.
	Measured float64
	Missing  bool
}

// Error names the threshold and the measured value.
func (e *ThresholdError) Error() string {
	if e.Missing {
		return fmt.Sprintf("deliverable %s: measured value %s is required (threshold %s)", e.Threshold.Deliverable, e.Threshold.Metric, e.Threshold)
	}
	return fmt.Sprintf("deliverable %s: %s = %g misses threshold %s", e.Threshold.Deliverable, e.Threshold.Metric, e.Measured, e.Threshold)
}

// CheckMeasurements holds measured values submitted with a deliverable
// against its thresholds. It returns every miss, joined, each a
// *ThresholdError; nil when all are met.
func (p Package) CheckMeasurements(deliverable string, measured map[string]float64) error {
	var errs []error
	for _, t := range p.ThresholdsFor(deliverable) {
		v, ok := measured[t.Metric]
		switch {
		case !ok:
			errs = append(errs, &ThresholdError{Threshold: t, Missing: true})
		case !t.Met(v):
			errs = append(errs, &ThresholdError{Threshold: t, Measured: v})
		}
	}
	return errors.Join(errs...)
}

func digestOf(pkgs []Package) string {
	if pkgs == nil {
		pkgs = []Package{}
	}
	b, err := json.Marshal(pkgs)
	if err != nil {
		// Package holds only strings, numbers, bools, slices and pointers
		// to such: encoding cannot fail.
		panic(fmt.Sprintf("catalog: encode packages: %v", err))
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// clonePackage returns a deep copy of p.
func clonePackage(p Package) Package {
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("catalog: encode package %s: %v", p.Code, err))
	}
	var out Package
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("catalog: decode package %s: %v", p.Code, err))
	}
	normalize(&out)
	return out
}

// normalize replaces nil slices with empty ones so that the JSON form shows
// [] rather than null for lists, and derives Deliverable.Final.
func normalize(p *Package) {
	nz := func(s *[]string) {
		if *s == nil {
			*s = []string{}
		}
	}
	nz(&p.Seed.Sections)
	nz(&p.Validity.Text)
	nz(&p.AcceptanceCriteria)
	nz(&p.Notes)
	if p.Options == nil {
		p.Options = []OptionSpec{}
	}
	for i := range p.Options {
		nz(&p.Options[i].Choices)
		nz(&p.Options[i].Always)
	}
	if p.Prerequisites == nil {
		p.Prerequisites = []Prerequisite{}
	}
	if p.ResponseTargets == nil {
		p.ResponseTargets = []ResponseTarget{}
	}
	if p.Clocks == nil {
		p.Clocks = []Clock{}
	}
	if p.Quotas == nil {
		p.Quotas = []Quota{}
	}
	if p.Thresholds == nil {
		p.Thresholds = []Threshold{}
	}
	if p.Phases == nil {
		p.Phases = []Phase{}
	}
	for i := range p.Phases {
		ph := &p.Phases[i]
		if ph.Tasks == nil {
			ph.Tasks = []Task{}
		}
		for j := range ph.Tasks {
			nz(&ph.Tasks[j].Scope)
		}
		if ph.Deliverables == nil {
			ph.Deliverables = []Deliverable{}
		}
		for j := range ph.Deliverables {
			d := &ph.Deliverables[j]
			nz(&d.Requirements)
			d.Final = d.Key != "" && d.Key == p.FinalAcceptance
		}
	}
}
