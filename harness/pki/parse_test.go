package pki

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

func TestParseCAAndLeafRoundTrip(t *testing.T) {
	ca, err := NewCA("parse test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueClient("client", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseCA(ca.CertPEM)
	if err != nil {
		t.Fatalf("ParseCA: %v", err)
	}
	if !got.Cert.Equal(ca.Cert) || !bytes.Equal(got.CertPEM, ca.CertPEM) || got.Key != nil {
		t.Fatalf("ParseCA gave %+v, want the certificate without a key", got)
	}
	if _, err := got.IssueClient("x", time.Hour); err == nil {
		t.Fatal("a parsed CA issued a certificate without its key")
	}
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: got.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("the leaf does not verify against the parsed CA: %v", err)
	}
	l, err := ParseLeaf(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatalf("ParseLeaf: %v", err)
	}
	if !l.Cert.Equal(leaf.Cert) {
		t.Fatal("ParseLeaf changed the certificate")
	}
}

func TestParseRefusesWhatDoesNotFit(t *testing.T) {
	ca, _ := NewCA("one", time.Hour)
	other, _ := NewCA("two", time.Hour)
	leaf, _ := ca.IssueClient("client", time.Hour)
	foreign, _ := other.IssueClient("client", time.Hour)
	for name, err := range map[string]error{
		"leaf as CA":   second(ParseCA(leaf.CertPEM)),
		"two blocks":   second(ParseCA(append(append([]byte{}, ca.CertPEM...), other.CertPEM...))),
		"not PEM":      second(ParseCA([]byte("junk"))),
		"key mismatch": second(ParseLeaf(leaf.CertPEM, foreign.KeyPEM)),
		"key as cert":  second(ParseLeaf(leaf.KeyPEM, leaf.KeyPEM)),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "pki: Parse") {
			t.Errorf("%s: error %q does not say which call failed", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
