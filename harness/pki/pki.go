// Package pki is a small run-time certificate authority for the egress
// conformance suite.
//
// Every suite run mints a fresh CA and issues short-lived server and client
// certificates from it, so no key material is checked into the repository
// and nothing outlives the run. All keys are ECDSA P-256.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// ClientOrganization is the subject organisation of every client certificate
// issued by IssueClient, so a destination can tell suite-issued client
// certificates apart from, say, a mesh workload identity.
const ClientOrganization = "egress-conformance"

// clockSkew backdates NotBefore so that a certificate minted a moment ago is
// already valid on a machine (or container) whose clock is slightly behind.
const clockSkew = 5 * time.Minute

// CA is a self-signed certificate authority held in memory.
type CA struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
}

// Leaf is a certificate issued by a CA together with its private key.
type Leaf struct {
	CertPEM []byte // the leaf certificate only (the CA is the root; no intermediates)
	KeyPEM  []byte // PKCS#8 "PRIVATE KEY" block
	Cert    *x509.Certificate
}

// NewCA creates a self-signed ECDSA P-256 CA valid from a few minutes ago
// (to tolerate clock skew) until validity from now.
func NewCA(commonName string, validity time.Duration) (*CA, error) {
	if strings.TrimSpace(commonName) == "" {
		return nil, errors.New("pki: NewCA: common name is empty; pass a descriptive name such as \"egress-conformance-ca\"")
	}
	if validity <= 0 {
		return nil, fmt.Errorf("pki: NewCA(%q): validity %v is not positive; pass e.g. 24*time.Hour", commonName, validity)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: NewCA(%q): generating P-256 key: %w", commonName, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, fmt.Errorf("pki: NewCA(%q): %w", commonName, err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{ClientOrganization}},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true, // this CA signs leaves only
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: NewCA(%q): self-signing CA certificate: %w", commonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: NewCA(%q): parsing the certificate just created: %w", commonName, err)
	}
	return &CA{
		Cert:    cert,
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// IssueServer issues a TLS server certificate (ExtKeyUsageServerAuth) whose
// subject alternative names are dnsNames and ips. DNS names may use a single
// leading wildcard label ("*.wild.egress.test"). At least one SAN is
// required, because clients ignore the common name when matching hosts.
//
// A leaf never outlives its CA: NotAfter is clamped to the CA's NotAfter.
func (ca *CA) IssueServer(commonName string, dnsNames []string, ips []net.IP, validity time.Duration) (*Leaf, error) {
	what := fmt.Sprintf("pki: IssueServer(%q, dns=%q, ips=%v)", commonName, dnsNames, ips)
	if len(dnsNames) == 0 && len(ips) == 0 {
		return nil, fmt.Errorf("%s: no DNS names or IP addresses; a server certificate needs at least one SAN for clients to match", what)
	}
	for _, n := range dnsNames {
		if err := checkDNSName(n); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	for i, ip := range ips {
		if ip == nil || (ip.To4() == nil && len(ip) != net.IPv6len) {
			return nil, fmt.Errorf("%s: ips[%d] is not a valid IP address", what, i)
		}
	}
	return ca.issue(what, &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		DNSNames:    append([]string(nil), dnsNames...),
		IPAddresses: append([]net.IP(nil), ips...),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, validity)
}

// IssueClient issues a TLS client certificate (ExtKeyUsageClientAuth) with
// subject CN=commonName, O=egress-conformance.
func (ca *CA) IssueClient(commonName string, validity time.Duration) (*Leaf, error) {
	what := fmt.Sprintf("pki: IssueClient(%q)", commonName)
	if strings.TrimSpace(commonName) == "" {
		return nil, fmt.Errorf("%s: common name is empty; the destination identifies the client by it", what)
	}
	return ca.issue(what, &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{ClientOrganization}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, validity)
}

// Pool returns a new certificate pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// TLSCertificate returns the leaf as a tls.Certificate for use in a
// tls.Config (server Certificates or client Certificates).
func (l *Leaf) TLSCertificate() (tls.Certificate, error) {
	c, err := tls.X509KeyPair(l.CertPEM, l.KeyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: pairing leaf %q certificate and key: %w", l.subject(), err)
	}
	return c, nil
}

func (l *Leaf) subject() string {
	if l == nil || l.Cert == nil {
		return "<nil>"
	}
	return l.Cert.Subject.String()
}

// issue signs tmpl as a leaf of ca; its errors begin with what (the exported call that
// asked, with its arguments).
func (ca *CA) issue(what string, tmpl *x509.Certificate, validity time.Duration) (*Leaf, error) {
	leaf, err := ca.sign(tmpl, validity)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return leaf, nil
}

func (ca *CA) sign(tmpl *x509.Certificate, validity time.Duration) (*Leaf, error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, errors.New("CA is nil or incomplete; create it with pki.NewCA")
	}
	if validity <= 0 {
		return nil, fmt.Errorf("validity %v is not positive; pass e.g. time.Hour", validity)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating P-256 key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-clockSkew)
	if tmpl.NotBefore.Before(ca.Cert.NotBefore) {
		tmpl.NotBefore = ca.Cert.NotBefore
	}
	tmpl.NotAfter = now.Add(validity)
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	tmpl.BasicConstraintsValid = true
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, fmt.Errorf("signing with CA %q: %w", ca.Cert.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the certificate just signed: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key as PKCS#8: %w", err)
	}
	return &Leaf{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		Cert:    cert,
	}, nil
}

func newSerial() (*big.Int, error) {
	s, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	return s.Add(s, big.NewInt(1)), nil // never zero
}

// checkDNSName rejects names that would silently never match: empty labels,
// whitespace, a scheme or port, or a wildcard anywhere but the whole leftmost
// label.
func checkDNSName(n string) error {
	if n == "" {
		return errors.New("empty DNS name")
	}
	if strings.ContainsAny(n, " \t\r\n/:") {
		return fmt.Errorf("DNS name %q contains whitespace, '/' or ':'; pass a bare host name without scheme or port", n)
	}
	labels := strings.Split(strings.TrimSuffix(n, "."), ".")
	for i, l := range labels {
		switch {
		case l == "":
			return fmt.Errorf("DNS name %q has an empty label", n)
		case l == "*" && i == 0 && len(labels) > 1:
		case strings.Contains(l, "*"):
			return fmt.Errorf("DNS name %q: a wildcard must be the entire leftmost label, as in \"*.example.test\"", n)
		}
	}
	return nil
}
