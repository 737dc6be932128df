package parse

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// ProxyStatus is one row of `istioctl proxy-status --verbosity 1`: a proxy istiod serves and
// the state of each xDS type it pushed to it.
type ProxyStatus struct {
	// Name is "<pod>.<namespace>".
	Name, Cluster, Istiod, Version string
	// Types maps the short type name (CDS, LDS, RDS, EDS, ECDS, …) to istiod's view of it:
	// "SYNCED", "NOT SENT", "STALE", "IGNORED" or "ERROR" (the proxy NACKed it), without the
	// age istioctl appends in parentheses.
	Types map[string]string
}

// NACKed lists the xDS types the proxy rejected (status ERROR), sorted as the table has them.
func (p ProxyStatus) NACKed(order []string) []string { return p.inState(order, "ERROR") }

// Stale lists the xDS types istiod pushed that the proxy has not acknowledged yet (STALE).
func (p ProxyStatus) Stale(order []string) []string { return p.inState(order, "STALE") }

func (p ProxyStatus) inState(order []string, state string) []string {
	var out []string
	for _, t := range order {
		if p.Types[t] == state {
			out = append(out, t)
		}
	}
	return out
}

// cellSep splits tabwriter output: istioctl pads its columns with at least five spaces, and
// no cell holds two spaces in a row ("NOT SENT", "SYNCED (3s)").
var cellSep = regexp.MustCompile(`\s{2,}`)

// ParseProxyStatus parses the verbose table: a header "NAME CLUSTER <types…> ISTIOD VERSION"
// and one row per proxy with as many cells. It returns the rows and the type columns in
// their order. An empty table (no proxies) is a header alone.
func ParseProxyStatus(r io.Reader) ([]ProxyStatus, []string, error) {
	const format = "istioctl proxy-status"
	var header, types []string
	var rows []ProxyStatus
	err := eachNonBlankLine(format, r, func(line string) error {
		cells := cellSep.Split(strings.TrimSpace(line), -1)
		if header == nil {
			if len(cells) < 4 || cells[0] != "NAME" || cells[1] != "CLUSTER" || cells[len(cells)-2] != "ISTIOD" || cells[len(cells)-1] != "VERSION" {
				return errors.New("not the verbose header NAME CLUSTER <xDS types…> ISTIOD VERSION: run istioctl proxy-status with --verbosity 1")
			}
			header, types = cells, cells[2:len(cells)-2]
			return nil
		}
		if len(cells) != len(header) {
			return fmt.Errorf("%d cells, the header has %d", len(cells), len(header))
		}
		p := ProxyStatus{Name: cells[0], Cluster: cells[1], Istiod: cells[len(cells)-2], Version: cells[len(cells)-1], Types: map[string]string{}}
		for i, t := range types {
			state, _, _ := strings.Cut(cells[2+i], " (")
			p.Types[t] = state
		}
		rows = append(rows, p)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if header == nil {
		return nil, nil, errors.New("parse istioctl proxy-status: no header line: is istiod running?")
	}
	return rows, types, nil
}
