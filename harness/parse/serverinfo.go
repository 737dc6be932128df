package parse

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ServerInfo is what Envoy's admin /server_info says about the running proxy.
type ServerInfo struct {
	// Version is the build's full version, "<commit>/<version>/<status>/<type>/<ssl>", e.g.
	// "6eb0d2d97489ec1b4e1584a004f5de443d97a41b/1.39.3/Clean/RELEASE/BoringSSL".
	Version string `json:"version"`
	// State is LIVE, DRAINING, PRE_INITIALIZING or INITIALIZING.
	State string `json:"state"`
}

// Release is the version number inside Version ("1.39.3"), or "" when it has no such part.
func (s ServerInfo) Release() string {
	parts := strings.Split(s.Version, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// ParseServerInfo parses the admin /server_info JSON.
func ParseServerInfo(b []byte) (ServerInfo, error) {
	var s ServerInfo
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("parse envoy server_info: %v (starts %q)", err, truncate(string(b)))
	}
	if s.Version == "" || s.State == "" {
		return s, fmt.Errorf("parse envoy server_info: no version or state (starts %q)", truncate(string(b)))
	}
	return s, nil
}
