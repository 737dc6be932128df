package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustCA(t *testing.T, cn string) *CA {
	t.Helper()
	ca, err := NewCA(cn, 2*time.Hour)
	if err != nil {
		t.Fatalf("NewCA(%q): %v", cn, err)
	}
	return ca
}

func TestNewCA(t *testing.T) {
	ca := mustCA(t, "test-ca")
	c := ca.Cert
	if !c.IsCA || !c.BasicConstraintsValid {
		t.Errorf("IsCA=%v BasicConstraintsValid=%v, want both true", c.IsCA, c.BasicConstraintsValid)
	}
	if c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("KeyUsage %b lacks CertSign", c.KeyUsage)
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key is %T, want ECDSA P-256", c.PublicKey)
	}
	if c.Subject.CommonName != "test-ca" {
		t.Errorf("CN = %q, want test-ca", c.Subject.CommonName)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("CA is not self-signed: %v", err)
	}
	blk, _ := pem.Decode(ca.CertPEM)
	if blk == nil || blk.Type != "CERTIFICATE" || string(blk.Bytes) != string(c.Raw) {
		t.Errorf("CertPEM does not hold the CA certificate")
	}
	if !c.NotBefore.Before(time.Now()) || c.NotAfter.Before(time.Now().Add(119*time.Minute)) {
		t.Errorf("validity window %v..%v does not cover now..now+2h", c.NotBefore, c.NotAfter)
	}
}

func TestNewCARejectsBadInput(t *testing.T) {
	if _, err := NewCA("", time.Hour); err == nil {
		t.Error("NewCA with empty CN succeeded, want error")
	}
	if _, err := NewCA("x", 0); err == nil {
		t.Error("NewCA with zero validity succeeded, want error")
	}
}

func TestServerCertVerification(t *testing.T) {
	ca := mustCA(t, "test-ca")
	leaf, err := ca.IssueServer("secure.egress.test",
		[]string{"secure.egress.test", "*.wild.egress.test"},
		[]net.IP{net.ParseIP("127.0.0.1")}, time.Hour)
	if err != nil {
		t.Fatalf("IssueServer: %v", err)
	}
	if !slices.Contains(leaf.Cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		t.Errorf("ExtKeyUsage %v lacks ServerAuth", leaf.Cert.ExtKeyUsage)
	}
	if leaf.Cert.IsCA {
		t.Error("server leaf is a CA")
	}

	verify := func(pool *x509.CertPool, name string) error {
		_, err := leaf.Cert.Verify(x509.VerifyOptions{
			DNSName:   name,
			Roots:     pool,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		return err
	}
	for _, name := range []string{"secure.egress.test", "a.wild.egress.test", "127.0.0.1"} {
		if err := verify(ca.Pool(), name); err != nil {
			t.Errorf("verify for %q: %v, want success", name, err)
		}
	}
	for _, name := range []string{"evil.test", "wild.egress.test", "a.b.wild.egress.test", "127.0.0.2"} {
		if err := verify(ca.Pool(), name); err == nil {
			t.Errorf("verify for %q succeeded, want hostname mismatch", name)
		}
	}

	other := mustCA(t, "other-ca")
	if err := verify(other.Pool(), "secure.egress.test"); err == nil {
		t.Error("verify against another CA's pool succeeded, want unknown authority")
	}
	// And a leaf from the other CA must not verify against ours.
	foreign, err := other.IssueServer("secure.egress.test", []string{"secure.egress.test"}, nil, time.Hour)
	if err != nil {
		t.Fatalf("other.IssueServer: %v", err)
	}
	if _, err := foreign.Cert.Verify(x509.VerifyOptions{DNSName: "secure.egress.test", Roots: ca.Pool()}); err == nil {
		t.Error("certificate from another CA verified against our pool")
	}
}

func TestClientCert(t *testing.T) {
	ca := mustCA(t, "test-ca")
	leaf, err := ca.IssueClient("probe-client", time.Hour)
	if err != nil {
		t.Fatalf("IssueClient: %v", err)
	}
	if !slices.Contains(leaf.Cert.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		t.Errorf("ExtKeyUsage %v lacks ClientAuth", leaf.Cert.ExtKeyUsage)
	}
	if slices.Contains(leaf.Cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		t.Errorf("client cert also has ServerAuth: %v", leaf.Cert.ExtKeyUsage)
	}
	if leaf.Cert.Subject.CommonName != "probe-client" || !slices.Equal(leaf.Cert.Subject.Organization, []string{ClientOrganization}) {
		t.Errorf("subject = %q, want CN=probe-client,O=%s", leaf.Cert.Subject, ClientOrganization)
	}
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client cert does not verify for ClientAuth: %v", err)
	}
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("client cert verified for ServerAuth, want incompatible usage")
	}
	if _, err := ca.IssueClient(" ", time.Hour); err == nil {
		t.Error("IssueClient with blank CN succeeded, want error")
	}
}

func TestLeafKeyPEMPairsWithCert(t *testing.T) {
	ca := mustCA(t, "test-ca")
	leaf, err := ca.IssueServer("s", []string{"s.egress.test"}, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(leaf.KeyPEM)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		t.Fatalf("KeyPEM is not a PKCS#8 PRIVATE KEY block: %q", leaf.KeyPEM)
	}
	if _, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM); err != nil {
		t.Errorf("X509KeyPair: %v", err)
	}
	if _, err := leaf.TLSCertificate(); err != nil {
		t.Errorf("TLSCertificate: %v", err)
	}
}

func TestLeafNeverOutlivesCA(t *testing.T) {
	ca, err := NewCA("short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueClient("c", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Cert.NotAfter.After(ca.Cert.NotAfter) {
		t.Errorf("leaf NotAfter %v is after CA NotAfter %v", leaf.Cert.NotAfter, ca.Cert.NotAfter)
	}
}

func TestIssueServerRejectsBadInput(t *testing.T) {
	ca := mustCA(t, "test-ca")
	cases := map[string]struct {
		dns      []string
		ips      []net.IP
		validity time.Duration
		wantErr  string
	}{
		"no SANs":          {nil, nil, time.Hour, "at least one SAN"},
		"empty name":       {[]string{""}, nil, time.Hour, "empty DNS name"},
		"name with port":   {[]string{"a.test:443"}, nil, time.Hour, "without scheme or port"},
		"inner wildcard":   {[]string{"a.*.test"}, nil, time.Hour, "wildcard"},
		"partial wildcard": {[]string{"a*.test"}, nil, time.Hour, "wildcard"},
		"empty label":      {[]string{"a..test"}, nil, time.Hour, "empty label"},
		"bad ip":           {nil, []net.IP{{1, 2, 3}}, time.Hour, "not a valid IP"},
		"zero validity":    {[]string{"a.test"}, nil, 0, "not positive"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ca.IssueServer("x", tc.dns, tc.ips, tc.validity)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	var nilCA *CA
	if _, err := nilCA.IssueClient("c", time.Hour); err == nil {
		t.Error("IssueClient on nil CA succeeded, want error")
	}
}
