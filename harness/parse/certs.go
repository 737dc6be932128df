package parse

import (
	"encoding/json"
	"fmt"
)

// CertsSANs reads Envoy's /certs admin output (JSON, as printed by
// `pilot-agent request GET certs`) and returns the URI subject alternative names of every
// certificate chain's leaf, e.g. a workload's SPIFFE identity.
func CertsSANs(b []byte) ([]string, error) {
	var doc struct {
		Certificates []struct {
			CertChain []struct {
				SubjectAltNames []struct {
					URI string `json:"uri"`
				} `json:"subject_alt_names"`
			} `json:"cert_chain"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("envoy /certs: not the admin JSON (%v): %q", err, abbreviate(b))
	}
	var out []string
	for _, c := range doc.Certificates {
		for _, leaf := range c.CertChain {
			for _, san := range leaf.SubjectAltNames {
				if san.URI != "" {
					out = append(out, san.URI)
				}
			}
		}
	}
	return out, nil
}

func abbreviate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
