// Package scale holds the tests that run sowflow as many processes: the real
// binary, built by the test, as several `sowflow api` and `sowflow worker`
// processes against one Temporal server and one PostgreSQL database, under
// load from package load, with processes killed and restarted in the
// middle; and the memory measurement of one worker holding many live
// projects (make measure-memory).
package scale
