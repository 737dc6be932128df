package parse

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Stats holds Envoy's counters and gauges from the admin /stats text output, as
// printed by `pilot-agent request GET stats`, keyed by the full stat name, e.g.
// "cluster.outbound|443||edition.cnn.com.upstream_cx_total".
type Stats map[string]uint64

// ParseStats parses Envoy /stats text. Each non-blank line is "name: value":
//   - counters and gauges ("name: 42") are kept;
//   - histograms ("name: P0(nan,0) P25(nan,0) …" or "name: No recorded values")
//     and text readouts (`name: "text"`) are skipped;
//   - anything else is an error naming the line.
//
// Names are split from values at the LAST ": ", because Istio's tag-encoded names
// (e.g. "reporter=.=source;.;…;.;istio_requests_total") may contain ':' themselves,
// while numeric values never contain ": ".
func ParseStats(r io.Reader) (Stats, error) {
	s := Stats{}
	err := eachNonBlankLine("envoy stats", r, func(line string) error {
		if isTextReadout(line) {
			return nil
		}
		i := strings.LastIndex(line, ": ")
		if i < 0 {
			return errors.New(`no ": " separating name and value`)
		}
		name, value := line[:i], line[i+2:]
		if strings.TrimSpace(name) == "" {
			return errors.New("empty stat name")
		}
		if isHistogramValue(value) {
			return nil
		}
		v, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return fmt.Errorf("value %q is not an unsigned integer, a histogram or a text readout", truncate(value))
		}
		s[name] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Value returns the counter or gauge called name.
func (s Stats) Value(name string) (uint64, bool) {
	v, ok := s[name]
	return v, ok
}

// isTextReadout reports a `name: "value"` line. Envoy does not escape quotes inside
// the value, so the value runs from the first `: "` to the final quote.
func isTextReadout(line string) bool {
	i := strings.Index(line, `: "`)
	return i > 0 && len(line) >= i+4 && strings.HasSuffix(line, `"`)
}

// isHistogramValue reports Envoy's summary forms for histograms: "No recorded values",
// or space-separated quantile/bucket terms like "P0(nan,0)" or "B0.5(0,0)".
func isHistogramValue(v string) bool {
	if v == "No recorded values" {
		return true
	}
	first, _, _ := strings.Cut(v, " ")
	if len(first) < 4 || (first[0] != 'P' && first[0] != 'B') || !strings.HasSuffix(first, ")") {
		return false
	}
	open := strings.IndexByte(first, '(')
	if open < 2 {
		return false
	}
	_, err := strconv.ParseFloat(first[1:open], 64)
	return err == nil
}
