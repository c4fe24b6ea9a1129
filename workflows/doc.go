// Package workflows holds sowflow's deterministic workflow code: the project
// lifecycle that interprets a catalog plan, and the helpers workflows share.
// Nothing here does I/O, reads the clock, or loads calendar or catalog data;
// deadlines come from a local activity whose result is recorded in history.
package workflows
