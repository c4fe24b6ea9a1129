package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/calendar"
)

const calendarUsage = `usage: sowflow calendar <command> [options]

Contract-time arithmetic on China's working-day calendar (holidays and make-up
working days from the State Council notices; all times in CST, UTC+8).

Commands:
  add              compute a contract deadline
  working-day      tell whether a date is a working day
  nth-working-day  find the n-th working day of a month

Run "sowflow calendar <command> --help" for a command's options.
`

const calendarAddUsage = `usage: sowflow calendar add --from <RFC3339> <kind> N [--hours HH:MM-HH:MM] [--json] [--data FILE]...

Prints the deadline in RFC 3339 with +08:00, followed by " provisional" when it
depends on dates past the calendar data. Day-counted periods end at 24:00,
printed as 00:00 of the next date.

Exactly one kind:
  --working-days N      N working days after the start date, at 24:00
  --natural-days N      N days after the start date, at 24:00, moved to the
                        next working day when that day is not one
  --months N            the same day N months later (or that month's last
                        day), at 24:00
  --business-minutes N  N minutes inside business hours on working days
  --minutes N           N wall-clock minutes (7x24)

Options:
  --from RFC3339        start instant, any offset (e.g. 2026-09-29T10:00:00+08:00)
  --hours HH:MM-HH:MM   business hours for --business-minutes (default 09:00-17:00)
  --json                print {"deadline", "provisional", "calendar_version"}
  --data FILE           also load a holiday-cn year file (repeatable)
`

const calendarWorkingDayUsage = `usage: sowflow calendar working-day [--data FILE]... YYYY-MM-DD

Prints "true" or "false", followed by " provisional" when the date is past the
calendar data.

Options:
  --data FILE  also load a holiday-cn year file (repeatable)
`

const calendarNthUsage = `usage: sowflow calendar nth-working-day --month YYYY-MM --n N [--data FILE]...

Prints the date (YYYY-MM-DD) of the n-th working day of the month, followed by
" provisional" when it depends on dates past the calendar data.

Options:
  --month YYYY-MM  the month
  --n N            which working day, from 1
  --data FILE      also load a holiday-cn year file (repeatable)
`

// runCalendar runs "sowflow calendar ..."; args excludes the word "calendar".
// It returns the exit status: 0 on success, 2 for bad input (with one line
// on stderr naming the problem), 1 when the output cannot be written.
func runCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return calUsageError(stderr, "sowflow calendar", "missing command (add, working-day or nth-working-day)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return calPrintUsage(stdout, calendarUsage)
	case "add":
		return calendarAdd(args[1:], stdout, stderr)
	case "working-day":
		return calendarWorkingDay(args[1:], stdout, stderr)
	case "nth-working-day":
		return calendarNth(args[1:], stdout, stderr)
	}
	return calUsageError(stderr, "sowflow calendar", fmt.Sprintf("unknown command %q (want add, working-day or nth-working-day)", args[0]))
}

// calCountFlag is a non-negative integer option that remembers whether it was given.
type calCountFlag struct {
	n   int
	set bool
}

func (c *calCountFlag) String() string { return strconv.Itoa(c.n) }

func (c *calCountFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < 0 {
		return errors.New("must not be negative")
	}
	c.n, c.set = n, true
	return nil
}

// calInstantFlag is an RFC 3339 instant option.
type calInstantFlag struct {
	t   time.Time
	set bool
}

func (f *calInstantFlag) String() string {
	if !f.set {
		return ""
	}
	return f.t.Format(time.RFC3339Nano)
}

func (f *calInstantFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return errors.New("not an RFC 3339 instant (e.g. 2026-09-29T10:00:00+08:00)")
	}
	f.t, f.set = t, true
	return nil
}

// calFilesFlag collects repeated --data options.
type calFilesFlag []string

func (f *calFilesFlag) String() string { return strings.Join(*f, ",") }

func (f *calFilesFlag) Set(s string) error {
	*f = append(*f, s)
	return nil
}

// newCalendarFlags returns a flag set that prints nothing itself.
func newCalendarFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// calParseFlags parses options and positional arguments in any order.
func calParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// loadCalendar returns the embedded calendar with any --data files added.
func loadCalendar(files []string) (*calendar.Calendar, error) {
	cal := calendar.China()
	if len(files) == 0 {
		return cal, nil
	}
	years := make([]calendar.YearFile, 0, len(files))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		f, err := calendar.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("--data %s: %w", name, err)
		}
		years = append(years, f)
	}
	cal, err := cal.With(years...)
	if err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	return cal, nil
}

func calendarAdd(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow calendar add"
	fs := newCalendarFlags(cmd)
	var from calInstantFlag
	fs.Var(&from, "from", "")
	counts := make(map[calendar.Kind]*calCountFlag)
	for _, k := range calendar.Kinds() {
		counts[k] = &calCountFlag{}
		fs.Var(counts[k], calKindFlag(k), "")
	}
	hoursText := fs.String("hours", "09:00-17:00", "")
	asJSON := fs.Bool("json", false, "")
	var data calFilesFlag
	fs.Var(&data, "data", "")

	positional, err := calParseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return calPrintUsage(stdout, calendarAddUsage)
	}
	if err != nil {
		return calUsageError(stderr, cmd, calFlagProblem(err))
	}
	if len(positional) > 0 {
		return calUsageError(stderr, cmd, fmt.Sprintf("unexpected argument %q", positional[0]))
	}
	if !from.set {
		return calUsageError(stderr, cmd, "missing --from")
	}
	var chosen []calendar.Kind
	for _, k := range calendar.Kinds() {
		if counts[k].set {
			chosen = append(chosen, k)
		}
	}
	switch len(chosen) {
	case 0:
		return calUsageError(stderr, cmd, "missing kind: give one of --working-days, --natural-days, --months, --business-minutes, --minutes")
	case 1:
	default:
		return calUsageError(stderr, cmd, fmt.Sprintf("give exactly one kind, not both --%s and --%s", calKindFlag(chosen[0]), calKindFlag(chosen[1])))
	}
	spec := calendar.Spec{Kind: chosen[0], N: counts[chosen[0]].n}
	hoursSet := false
	fs.Visit(func(f *flag.Flag) { hoursSet = hoursSet || f.Name == "hours" })
	if spec.Kind == calendar.BusinessMinutes {
		h, err := calendar.ParseHours(*hoursText)
		if err != nil {
			return calUsageError(stderr, cmd, "--hours: "+err.Error())
		}
		spec.Hours = h
	} else if hoursSet {
		return calUsageError(stderr, cmd, "--hours only applies to --business-minutes")
	}

	cal, err := loadCalendar(data)
	if err != nil {
		return calUsageError(stderr, cmd, err.Error())
	}
	res, err := cal.Deadline(from.t, spec)
	if err != nil {
		var fe *calendar.FieldError
		if errors.As(err, &fe) {
			return calUsageError(stderr, cmd, fmt.Sprintf("--%s: %s", calFieldFlag(fe.Field, spec.Kind), fe.Problem))
		}
		return calUsageError(stderr, cmd, err.Error())
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(res); err != nil {
			return calWriteError(stderr, cmd, err)
		}
		return 0
	}
	line := res.Deadline.Format(time.RFC3339Nano)
	if res.Provisional {
		line += " provisional"
	}
	if _, err := fmt.Fprintln(stdout, line); err != nil {
		return calWriteError(stderr, cmd, err)
	}
	return 0
}

func calendarWorkingDay(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow calendar working-day"
	fs := newCalendarFlags(cmd)
	var data calFilesFlag
	fs.Var(&data, "data", "")
	positional, err := calParseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return calPrintUsage(stdout, calendarWorkingDayUsage)
	}
	if err != nil {
		return calUsageError(stderr, cmd, calFlagProblem(err))
	}
	switch len(positional) {
	case 0:
		return calUsageError(stderr, cmd, "missing date (YYYY-MM-DD)")
	case 1:
	default:
		return calUsageError(stderr, cmd, fmt.Sprintf("unexpected argument %q", positional[1]))
	}
	d, err := calendar.ParseDate(positional[0])
	if err != nil {
		return calUsageError(stderr, cmd, err.Error())
	}
	cal, err := loadCalendar(data)
	if err != nil {
		return calUsageError(stderr, cmd, err.Error())
	}
	working, provisional := cal.WorkingDay(d)
	line := strconv.FormatBool(working)
	if provisional {
		line += " provisional"
	}
	if _, err := fmt.Fprintln(stdout, line); err != nil {
		return calWriteError(stderr, cmd, err)
	}
	return 0
}

func calendarNth(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow calendar nth-working-day"
	fs := newCalendarFlags(cmd)
	month := fs.String("month", "", "")
	var n calCountFlag
	fs.Var(&n, "n", "")
	var data calFilesFlag
	fs.Var(&data, "data", "")
	positional, err := calParseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return calPrintUsage(stdout, calendarNthUsage)
	}
	if err != nil {
		return calUsageError(stderr, cmd, calFlagProblem(err))
	}
	if len(positional) > 0 {
		return calUsageError(stderr, cmd, fmt.Sprintf("unexpected argument %q", positional[0]))
	}
	if *month == "" {
		return calUsageError(stderr, cmd, "missing --month (YYYY-MM)")
	}
	if !n.set {
		return calUsageError(stderr, cmd, "missing --n")
	}
	first, err := calendar.ParseDate(*month + "-01")
	if len(*month) != 7 || err != nil {
		return calUsageError(stderr, cmd, fmt.Sprintf("--month: %q is not a month (want YYYY-MM)", *month))
	}
	cal, err := loadCalendar(data)
	if err != nil {
		return calUsageError(stderr, cmd, err.Error())
	}
	d, provisional, err := cal.NthWorkingDay(first.Year, first.Month, n.n)
	if err != nil {
		var fe *calendar.FieldError
		if errors.As(err, &fe) {
			return calUsageError(stderr, cmd, fmt.Sprintf("--%s: %s", fe.Field, fe.Problem))
		}
		return calUsageError(stderr, cmd, err.Error())
	}
	line := d.String()
	if provisional {
		line += " provisional"
	}
	if _, err := fmt.Fprintln(stdout, line); err != nil {
		return calWriteError(stderr, cmd, err)
	}
	return 0
}

// calInvalidValueRE matches the flag package's `invalid value "X" for flag
// -NAME: PROBLEM` and `invalid boolean value "X" for -NAME: PROBLEM`.
var calInvalidValueRE = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-([^:]+): (.*)$`)

// calFlagProblem rewrites the flag package's parse errors in the CLI's own
// terms: options written with two dashes, the bad value after the problem.
func calFlagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown option --" + strings.TrimLeft(name, "-")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "--" + strings.TrimLeft(name, "-") + " needs a value"
	}
	if m := calInvalidValueRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("--%s: %s (got %s)", m[2], m[3], m[1])
	}
	return msg
}

// calKindFlag is the CLI option for a kind: working_days -> working-days.
func calKindFlag(k calendar.Kind) string { return strings.ReplaceAll(string(k), "_", "-") }

// calFieldFlag maps a calendar.FieldError field to the option that set it.
func calFieldFlag(field string, k calendar.Kind) string {
	if field == "n" || field == "kind" {
		return calKindFlag(k)
	}
	return field
}

func calPrintUsage(w io.Writer, usage string) int {
	if _, err := io.WriteString(w, strings.TrimRight(usage, "\n")+"\n"); err != nil {
		return 1
	}
	return 0
}

// calUsageError prints one line naming the problem and returns exit status 2.
func calUsageError(stderr io.Writer, cmd, problem string) int {
	fmt.Fprintf(stderr, "%s: %s\n", cmd, calOneLine(problem))
	return 2
}

func calWriteError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "%s: write output: %s\n", cmd, calOneLine(err.Error()))
	return 1
}

// calOneLine keeps an error message to a single line.
func calOneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
