package pki

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ParseCA is the CA whose certificate is certPEM, without its key: it can be trusted and
// handed to Kubernetes, not issue (the suite's parallel processes get the run's CAs this way
// from the process that made them).
func ParseCA(certPEM []byte) (*CA, error) {
	cert, err := parseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: ParseCA: %w", err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("pki: ParseCA: %q is not a CA certificate", cert.Subject.CommonName)
	}
	return &CA{Cert: cert, CertPEM: certPEM}, nil
}

// ParseLeaf is the leaf certPEM with its PKCS#8 key keyPEM; the two must pair.
func ParseLeaf(certPEM, keyPEM []byte) (*Leaf, error) {
	cert, err := parseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: ParseLeaf: %w", err)
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return nil, fmt.Errorf("pki: ParseLeaf(%q): the key does not pair with the certificate: %w", cert.Subject.CommonName, err)
	}
	return &Leaf{CertPEM: certPEM, KeyPEM: keyPEM, Cert: cert}, nil
}

func parseCert(certPEM []byte) (*x509.Certificate, error) {
	b, rest := pem.Decode(certPEM)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("more than one PEM block: pass one certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}
