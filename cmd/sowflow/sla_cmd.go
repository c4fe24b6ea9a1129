package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sowflow/sowflow/calendar"
	"github.com/sowflow/sowflow/sla"
)

const slaUsage = `usage: sowflow sla <command> [options]

The monthly service credits of the Enterprise Email and Sendify SLAs (seed
004): availability, compensation tier, claim window.

Commands:
  credit  compute one service period's credit

Run "sowflow sla credit --help" for its options.
`

const slaCreditUsage = `usage: sowflow sla credit --service email|sendify --period YYYY-MM INPUT [options]

Computes one service period's credit under seed 004 and prints it as indented
JSON. Availability is computed exactly; the compensation tier is decided on the
exact value (10% below 99.90% and at or above 99.00%, 20% below 99.00% and at
or above 95.00%, 50% below 95.00%; nothing at or above 99.90%).

Input (at most one, by service; without one, only the period's claim window is
printed, with no availability or compensation):
  --unavailable-minutes N  email: the period's unavailable minutes (a minute in
                           which sending or receiving fails for the whole
                           minute), after the SLA's exclusions
  --error-intervals N      sendify: the number of 5-minute intervals in which
                           every valid request failed (error rate 100%); all
                           other intervals count 0%
  --error-rates FILE       sendify: the 5-minute intervals with failed
                           requests, one per line, "FAILED,VALID" or
                           "START,FAILED,VALID" (START: the interval's RFC 3339
                           start, inside the period on a 5-minute boundary of
                           CST, each interval once); blank lines and lines
                           starting with # are skipped. An interval's error
                           rate is FAILED/VALID (0 when VALID is 0); intervals
                           not listed count 0%.

Options:
  --service email|sendify  the service (required)
  --period YYYY-MM         the service period, a calendar month in CST (required)
  --usage-days N           the days of use, for a month the service was used in
                           part (default: every day of the month); the period's
                           minutes or intervals count these days
  --monthly-fee AMOUNT     the month's service fee paid, excluding fees offset
                           by vouchers, with at most two decimals (e.g. 12.50);
                           adds "monthly_fee" and "compensation_amount" (the
                           tier's share, capped at 50% of the fee, rounded down
                           to the cent)
  --fee-months N           email: the number of months a lump-sum --monthly-fee
                           paid for (default 1); the fee is apportioned, and
                           "monthly_fee" shows one month's share, rounded down
                           to the cent ("fee_months" echoes N)
  --claim-at RFC3339       also check a claim submitted at this instant; adds
                           "claim" {"at", "accepted", "refusal"}
  --data FILE              also load a holiday-cn year file (repeatable)

Output: {"service", "period", "period_days", "total_minutes" and
"unavailable_minutes" (email) or "total_intervals", "error_intervals" and
"error_rate_sum" (sendify), "availability_pct" (two decimals, truncated, so it
never crosses a tier boundary), "availability_exact" (percent as an exact
fraction), "commitment_pct", "compensation_pct", "claim_opens", "claim_closes"
(RFC 3339, +08:00; claims are accepted from claim_opens, inclusive, until
claim_closes, exclusive), "provisional" (the window depends on dates past the
calendar data), "calendar_version"}.

The claim window opens after the 5th working day of the month after the
period (at 00:00 of the next date) and closes at 24:00 of the last day of
the second month after the period (the reading favourable to the customer,
Civil Code art. 498), or at 24:00 of the next working day when that day is
not one.

Exit status: 0 computed (and the claim, if given, is inside the window); 1 the
claim is refused (the JSON is still printed) or the output cannot be written;
2 bad input (one line on stderr naming the problem).
`

// runSLA runs "sowflow sla ..."; args excludes the word "sla". It returns
// the exit status: 0 on success, 1 for a refused claim or an unwritable
// output, 2 for bad input (with one line on stderr naming the problem).
func runSLA(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return slaFail(stderr, "sowflow sla", 2, "missing command (credit)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return slaPrint(stdout, stderr, "sowflow sla", slaUsage)
	case "credit":
		return slaCredit(args[1:], stdout, stderr)
	}
	return slaFail(stderr, "sowflow sla", 2, fmt.Sprintf("unknown command %q (want credit)", args[0]))
}

// slaCreditOutput is what "sowflow sla credit" prints.
type slaCreditOutput struct {
	Service    sla.Service `json:"service"`
	Period     string      `json:"period"`
	PeriodDays int         `json:"period_days"`
	// Email.
	TotalMinutes       *int64 `json:"total_minutes,omitempty"`
	UnavailableMinutes *int64 `json:"unavailable_minutes,omitempty"`
	// Sendify.
	TotalIntervals *int64  `json:"total_intervals,omitempty"`
	ErrorIntervals *int    `json:"error_intervals,omitempty"`
	ErrorRateSum   *string `json:"error_rate_sum,omitempty"`

	// Availability and compensation: only when the period's input is given.
	AvailabilityPct   json.Number `json:"availability_pct,omitempty"`
	AvailabilityExact string      `json:"availability_exact,omitempty"`
	CompensationPct   *int        `json:"compensation_pct,omitempty"`

	CommitmentPct      json.Number `json:"commitment_pct"`
	MonthlyFee         json.Number `json:"monthly_fee,omitempty"`
	FeeMonths          int         `json:"fee_months,omitempty"`
	CompensationAmount json.Number `json:"compensation_amount,omitempty"`
	ClaimOpens         string      `json:"claim_opens"`
	ClaimCloses        string      `json:"claim_closes"`
	Provisional        bool        `json:"provisional"`
	CalendarVersion    string      `json:"calendar_version"`
	Claim              *slaClaim   `json:"claim,omitempty"`
}

// slaClaim is the outcome of --claim-at.
type slaClaim struct {
	At       string `json:"at"`
	Accepted bool   `json:"accepted"`
	Refusal  string `json:"refusal,omitempty"`
}

// slaCount is a non-negative integer option that remembers whether it was
// given.
type slaCount struct {
	n   int64
	set bool
}

func (c *slaCount) String() string { return strconv.FormatInt(c.n, 10) }

func (c *slaCount) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < 0 {
		return errors.New("must not be negative")
	}
	c.n, c.set = n, true
	return nil
}

// slaMoneyPattern is an amount with at most two decimals and at most 15
// integer digits (so that cents fit an int64).
var slaMoneyPattern = regexp.MustCompile(`^([0-9]{1,15})(\.([0-9]{1,2}))?$`)

// slaParseMoney parses "12.5" as 1250 cents.
func slaParseMoney(s string) (int64, error) {
	m := slaMoneyPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not an amount with at most two decimals (e.g. 12.50)", s)
	}
	units, _ := strconv.ParseInt(m[1], 10, 64)
	frac := m[3]
	for len(frac) < 2 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	return units*100 + cents, nil
}

func slaCredit(args []string, stdout, stderr io.Writer) int {
	const cmd = "sowflow sla credit"
	fail := func(problem string) int { return slaFail(stderr, cmd, 2, problem) }

	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	service := fs.String("service", "", "")
	periodText := fs.String("period", "", "")
	var unavailable, errorIntervals, usageDays, feeMonths slaCount
	fs.Var(&unavailable, "unavailable-minutes", "")
	fs.Var(&errorIntervals, "error-intervals", "")
	fs.Var(&usageDays, "usage-days", "")
	fs.Var(&feeMonths, "fee-months", "")
	ratesFile := fs.String("error-rates", "", "")
	feeText := fs.String("monthly-fee", "", "")
	claimAt := fs.String("claim-at", "", "")
	var data calFilesFlag
	fs.Var(&data, "data", "")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return slaPrint(stdout, stderr, cmd, slaCreditUsage)
		}
		return fail(calFlagProblem(err))
	}
	if fs.NArg() > 0 {
		return fail(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	if *service == "" {
		return fail("missing --service (email or sendify)")
	}
	svc, err := sla.ParseService(*service)
	if err != nil {
		return fail("--service: " + err.Error())
	}
	if *periodText == "" {
		return fail("missing --period (YYYY-MM)")
	}
	period, err := sla.ParsePeriod(*periodText)
	if err != nil {
		return fail("--period: " + err.Error())
	}
	days := period.Days()
	if usageDays.set {
		if usageDays.n < 1 || usageDays.n > int64(days) {
			return fail(fmt.Sprintf("--usage-days: must be 1 to %d, the days of %s (got %d)", days, period, usageDays.n))
		}
		days = int(usageDays.n)
	}

	out := slaCreditOutput{Service: svc, Period: period.String(), PeriodDays: days}
	var availability sla.Availability
	measured := false // the period's input was given
	switch svc {
	case sla.Email:
		for _, name := range []string{"error-intervals", "error-rates"} {
			if given[name] {
				return fail(fmt.Sprintf("--%s only applies to --service sendify (email takes --unavailable-minutes)", name))
			}
		}
		if !unavailable.set {
			break // the claim window only
		}
		measured = true
		availability, err = sla.EmailAvailability(days, unavailable.n)
		if err != nil {
			return fail("--unavailable-minutes: " + err.Error())
		}
		total := sla.Minutes(days)
		out.TotalMinutes, out.UnavailableMinutes = &total, &unavailable.n
	case sla.Sendify:
		if given["unavailable-minutes"] {
			return fail("--unavailable-minutes only applies to --service email (sendify takes --error-intervals or --error-rates)")
		}
		if given["fee-months"] {
			return fail("--fee-months only applies to --service email (Sendify's monthly fee is the month's usage)")
		}
		var rates []sla.ErrorRate
		switch {
		case errorIntervals.set && given["error-rates"]:
			return fail("give one of --error-intervals and --error-rates, not both")
		case errorIntervals.set:
			if n := sla.Intervals(days); errorIntervals.n > n {
				return fail(fmt.Sprintf("--error-intervals: a %d-day period has only %d intervals (got %d)", days, n, errorIntervals.n))
			}
			rates = make([]sla.ErrorRate, errorIntervals.n)
			for i := range rates {
				rates[i] = sla.ErrorRate{Failed: 1, Valid: 1}
			}
		case given["error-rates"]:
			rates, err = slaReadRates(*ratesFile, period)
			if err != nil {
				return fail(err.Error())
			}
		}
		if !errorIntervals.set && !given["error-rates"] {
			break // the claim window only
		}
		measured = true
		availability, err = sla.SendifyAvailability(days, rates)
		if err != nil {
			name := "--error-rates"
			if errorIntervals.set {
				name = "--error-intervals"
			}
			return fail(name + ": " + err.Error())
		}
		sum := new(big.Rat)
		for _, r := range rates {
			x, _ := r.Rate() // checked by SendifyAvailability
			sum.Add(sum, x)
		}
		total, n, s := sla.Intervals(days), len(rates), sum.RatString()
		out.TotalIntervals, out.ErrorIntervals, out.ErrorRateSum = &total, &n, &s
	}
	out.CommitmentPct = json.Number(sla.Commitment().String())
	if measured {
		pct := sla.Compensation(availability)
		out.AvailabilityPct = json.Number(availability.String())
		out.AvailabilityExact = availability.Exact()
		out.CompensationPct = &pct
	}

	if given["fee-months"] && !given["monthly-fee"] {
		return fail("--fee-months needs --monthly-fee")
	}
	if given["monthly-fee"] && !measured {
		return fail("--monthly-fee needs the period's input (--unavailable-minutes, or --error-intervals or --error-rates)")
	}
	if given["monthly-fee"] {
		paid, err := slaParseMoney(*feeText)
		if err != nil {
			return fail("--monthly-fee: " + err.Error())
		}
		months := 1
		if feeMonths.set {
			if feeMonths.n < 1 || feeMonths.n > 1200 {
				return fail(fmt.Sprintf("--fee-months: must be 1 to 1200 (got %d)", feeMonths.n))
			}
			months = int(feeMonths.n)
			out.FeeMonths = months
		}
		fee, err := sla.MonthlyFee(paid, months)
		if err != nil {
			return fail("--monthly-fee: " + err.Error())
		}
		amount, err := sla.Amount(fee, *out.CompensationPct)
		if err != nil {
			return fail("--monthly-fee: " + err.Error())
		}
		out.MonthlyFee = json.Number(sla.FormatCents(sla.FloorCents(fee)))
		out.CompensationAmount = json.Number(sla.FormatCents(sla.FloorCents(amount)))
	}

	var at time.Time
	if given["claim-at"] {
		at, err = time.Parse(time.RFC3339Nano, *claimAt)
		if err != nil {
			return fail(fmt.Sprintf("--claim-at: not an RFC 3339 instant (got %q)", *claimAt))
		}
	}
	cal, err := loadCalendar(data)
	if err != nil {
		return fail(err.Error())
	}
	window, err := sla.ClaimWindow(period, cal)
	if err != nil {
		return fail("--period: " + err.Error())
	}
	out.ClaimOpens = window.Opens.Format(time.RFC3339)
	out.ClaimCloses = window.Closes.Format(time.RFC3339)
	out.Provisional = window.Provisional
	out.CalendarVersion = window.CalendarVersion
	status := 0
	if given["claim-at"] {
		out.Claim = &slaClaim{At: at.In(calendar.Zone()).Format(time.RFC3339Nano), Accepted: true}
		if err := sla.CheckClaim(at, window); err != nil {
			out.Claim.Accepted, out.Claim.Refusal, status = false, err.Error(), 1
		}
	}

	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return slaFail(stderr, cmd, 1, "write output: "+err.Error())
	}
	return status
}

// slaReadRates reads an --error-rates file: lines "FAILED,VALID" or
// "START,FAILED,VALID". Errors name the file and line.
func slaReadRates(name string, p sla.Period) ([]sla.ErrorRate, error) {
	if name == "" {
		return nil, errors.New("--error-rates needs a file name")
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--error-rates: %w", err)
	}
	defer f.Close()
	var rates []sla.ErrorRate
	seen := map[int64]int{} // interval start (unix seconds) -> line
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("--error-rates %s line %d: %s", name, line, fmt.Sprintf(format, args...))
		}
		fields := strings.Split(text, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		switch len(fields) {
		case 2:
		case 3:
			start, err := time.Parse(time.RFC3339, fields[0])
			if err != nil {
				return nil, bad("start %q is not an RFC 3339 instant", fields[0])
			}
			if start.Before(p.Start()) || !start.Before(p.End()) {
				return nil, bad("interval %s is outside period %s", fields[0], p)
			}
			if off := start.Sub(p.Start()); off%(sla.IntervalMinutes*time.Minute) != 0 {
				return nil, bad("interval %s does not start on a 5-minute boundary", fields[0])
			}
			if first, dup := seen[start.Unix()]; dup {
				return nil, bad("interval %s is also on line %d", fields[0], first)
			}
			seen[start.Unix()] = line
			fields = fields[1:]
		default:
			return nil, bad("want FAILED,VALID or START,FAILED,VALID")
		}
		failed, err1 := strconv.ParseInt(fields[0], 10, 64)
		valid, err2 := strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, bad("FAILED and VALID must be whole numbers")
		}
		r := sla.ErrorRate{Failed: failed, Valid: valid}
		if _, err := r.Rate(); err != nil {
			return nil, bad("%v", err)
		}
		rates = append(rates, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--error-rates %s: %w", name, err)
	}
	return rates, nil
}

func slaFail(stderr io.Writer, cmd string, status int, problem string) int {
	fmt.Fprintf(stderr, "%s: %s\n", cmd, strings.Join(strings.Fields(problem), " "))
	return status
}

func slaPrint(stdout, stderr io.Writer, cmd, usage string) int {
	if _, err := io.WriteString(stdout, usage); err != nil {
		return slaFail(stderr, cmd, 1, "write output: "+err.Error())
	}
	return 0
}
