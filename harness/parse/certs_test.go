package parse

import (
	"os"
	"reflect"
	"testing"
)

func TestCertsSANs(t *testing.T) {
	b, err := os.ReadFile("testdata/envoy-certs.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := CertsSANs(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"spiffe://cluster.local/ns/istio-system/sa/istio-egressgateway-service-account"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, err := CertsSANs([]byte("cluster.outbound: 1")); err == nil {
		t.Fatal("text that is not the /certs JSON must be refused")
	}
}

func FuzzCertsSANs(f *testing.F) {
	b, _ := os.ReadFile("testdata/envoy-certs.json")
	f.Add(b)
	f.Add([]byte(`{"certificates":[]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		sans, err := CertsSANs(in)
		if err == nil {
			for _, s := range sans {
				if s == "" {
					t.Fatal("empty SAN returned")
				}
			}
		}
	})
}
