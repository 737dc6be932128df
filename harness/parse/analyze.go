package parse

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Finding is one message of `istioctl analyze -o json`.
type Finding struct {
	Code             string `json:"code"`
	Level            string `json:"level"` // Error, Warning, Info
	Message          string `json:"message"`
	Origin           string `json:"origin"`
	Reference        string `json:"reference"`
	DocumentationURL string `json:"documentationUrl"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s [%s] (%s) %s", f.Level, f.Code, f.Origin, f.Message)
}

// ParseFindings reads `istioctl analyze -o json` output: a JSON array of messages, or nothing
// when there are none.
func ParseFindings(b []byte) ([]Finding, error) {
	s := strings.TrimSpace(string(b))
	if s == "" || s == "null" {
		return nil, nil
	}
	var out []Finding
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("istioctl analyze -o json printed something that is not a JSON array of messages (%v): %.300s", err, s)
	}
	for i, f := range out {
		if f.Code == "" || f.Level == "" {
			return nil, fmt.Errorf("istioctl analyze message %d has no code or level: %+v", i, f)
		}
	}
	return out, nil
}

// AtLeast keeps the findings of level Error, or Error and Warning when warnings is set.
func AtLeast(fs []Finding, warnings bool) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Level == "Error" || (warnings && f.Level == "Warning") {
			out = append(out, f)
		}
	}
	return out
}
