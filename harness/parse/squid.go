package parse

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// SquidEntry is one line of Squid's native access.log format
// ("%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt"), e.g.
//
//	1544160065.248    228 172.30.109.89 TCP_TUNNEL/200 87633 CONNECT en.wikipedia.org:443 - HIER_DIRECT/91.198.174.192 -
type SquidEntry struct {
	Time        time.Time     // first field: when Squid logged the transaction (its end), seconds.millis since the epoch
	Elapsed     time.Duration // ms the transaction took
	Client      string        // remotehost
	ResultCode  string        // "TCP_TUNNEL", "TCP_MISS", "TCP_DENIED", "TCP_MISS_ABORTED"
	Status      int           // 200; 0 when Squid logs 000 (no reply, e.g. client aborted)
	Bytes       int64         // bytes sent to the client
	Method      string        // CONNECT, GET
	URL         string        // "en.wikipedia.org:443" or "http://127.0.0.1:18080/get"
	User        string        // "-" when none
	Hierarchy   string        // "HIER_DIRECT/91.198.174.192", "HIER_NONE/-"
	ContentType string        // "-" when none
	Raw         string        // the line as read (without its line ending)
}

// Start is when the transaction began: Time - Elapsed. Both are truncated to the
// millisecond by Squid, so Start is within 1 ms of the real start either way.
func (e SquidEntry) Start() time.Time { return e.Time.Add(-e.Elapsed) }

// ParseSquidLog parses Squid's native access.log. Fields are separated by runs of
// spaces (Squid pads the elapsed column). Blank lines are skipped; a malformed line
// is an error naming its line number. A content type containing spaces (the last
// field) is rejoined with single spaces.
func ParseSquidLog(r io.Reader) ([]SquidEntry, error) {
	var out []SquidEntry
	err := eachNonBlankLine("squid log", r, func(line string) error {
		e, err := parseSquidLine(line)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SquidSince returns the entries of a probe that started at t or later.
//
// Squid writes each line when the transaction ends, so the first field is the
// completion time; a tunnel that ran for minutes carries a much later time than its
// CONNECT. SquidSince therefore compares the transaction's START (Time - Elapsed)
// with t. Because Squid truncates both fields to the millisecond, the computed start
// can be up to 1 ms before the real one, so an entry is kept when its computed start
// is later than t - 1 ms. The price: a transaction that really started less than
// 2 ms before t may be included. Clocks must agree (Squid and the caller on one host,
// or t taken from the same clock). Order is preserved.
func SquidSince(entries []SquidEntry, t time.Time) []SquidEntry {
	cutoff := t.Add(-time.Millisecond)
	var out []SquidEntry
	for _, e := range entries {
		if e.Start().After(cutoff) {
			out = append(out, e)
		}
	}
	return out
}

func parseSquidLine(line string) (SquidEntry, error) {
	f := strings.Fields(line)
	if len(f) < 10 {
		return SquidEntry{}, fmt.Errorf("%d fields, want 10 (time elapsed client code/status bytes method URL user hierarchy type)", len(f))
	}
	e := SquidEntry{Raw: line, Client: f[2], Method: f[5], URL: f[6], User: f[7], Hierarchy: f[8],
		ContentType: strings.Join(f[9:], " ")}
	var err error
	if e.Time, err = squidTime(f[0]); err != nil {
		return SquidEntry{}, err
	}
	ms, err := digits(f[1], uint64(math.MaxInt64/int64(time.Millisecond)))
	if err != nil {
		return SquidEntry{}, fmt.Errorf("elapsed: %w", err)
	}
	e.Elapsed = time.Duration(ms) * time.Millisecond
	code, status, ok := strings.Cut(f[3], "/")
	if !ok || code == "" {
		return SquidEntry{}, fmt.Errorf("result %q is not CODE/STATUS", truncate(f[3]))
	}
	st, err := digits(status, 999)
	if err != nil {
		return SquidEntry{}, fmt.Errorf("status in %q: %w", truncate(f[3]), err)
	}
	e.ResultCode, e.Status = code, int(st)
	if e.Bytes, err = int64Digits(f[4]); err != nil {
		return SquidEntry{}, fmt.Errorf("bytes: %w", err)
	}
	if !strings.Contains(e.Hierarchy, "/") {
		return SquidEntry{}, fmt.Errorf("hierarchy %q is not CODE/HOST", truncate(e.Hierarchy))
	}
	return e, nil
}

// squidTime parses "1544160065.248" exactly (no float rounding).
func squidTime(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	secs, err := digits(sec, math.MaxInt64/2)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", truncate(s), err)
	}
	var nanos int64
	if frac != "" {
		if len(frac) > 9 {
			return time.Time{}, fmt.Errorf("time %q: more than 9 fractional digits", truncate(s))
		}
		v, err := digits(frac, 999999999)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", truncate(s), err)
		}
		nanos = int64(v) * int64(math.Pow10(9-len(frac)))
	} else if strings.HasSuffix(s, ".") {
		return time.Time{}, errors.New("time " + strconv.Quote(truncate(s)) + " ends with '.'")
	}
	return time.Unix(int64(secs), nanos), nil
}
