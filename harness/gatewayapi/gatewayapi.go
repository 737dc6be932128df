// Package gatewayapi brings the Kubernetes Gateway API to the suite: its CRDs from the
// pinned sigs.k8s.io/gateway-api module (go.mod), and a strict check of Gateway API
// manifests against that module's Go types.
package gatewayapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwv1alpha2 "sigs.k8s.io/gateway-api/apis/v1alpha2"
	gwv1beta1 "sigs.k8s.io/gateway-api/apis/v1beta1"
)

// Module is the Go module the CRDs come from; its version is the one go.mod pins.
const Module = "sigs.k8s.io/gateway-api"

// Group is the Gateway API's group.
const Group = "gateway.networking.k8s.io"

// CRDs returns the CRD manifests of a channel ("standard" or "experimental"; Istio's egress
// docs use experimental for TLSRoute) from the pinned module, read from the module cache
// through the go command (downloaded if needed). moduleRoot is a directory inside this
// module (the go command resolves the pinned version from its go.mod).
func CRDs(ctx context.Context, moduleRoot, channel string) ([]byte, error) {
	if channel != "standard" && channel != "experimental" {
		return nil, fmt.Errorf("gateway API channel %q: use standard or experimental", channel)
	}
	dir, err := moduleDir(ctx, moduleRoot)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "config", "crd", channel, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CRDs under %s/config/crd/%s: is the module cache complete? (go mod download %s)", dir, channel, Module)
	}
	sort.Strings(files)
	var out bytes.Buffer
	for _, f := range files {
		if strings.HasSuffix(f, "kustomization.yaml") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out.WriteString("---\n")
		out.Write(b)
		out.WriteString("\n")
	}
	return out.Bytes(), nil
}

func moduleDir(ctx context.Context, moduleRoot string) (string, error) {
	for attempt := 0; attempt < 2; attempt++ {
		cmd := exec.CommandContext(ctx, "go", "list", "-m", "-json", Module)
		cmd.Dir = moduleRoot
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("locating %s with the go command in %s: %v: %s: the suite reads the Gateway API CRDs from the module pinned in go.mod; run it from its module with Go installed", Module, moduleRoot, err, strings.TrimSpace(stderr.String()))
		}
		var m struct{ Dir, Version string }
		if err := json.Unmarshal(out, &m); err != nil {
			return "", fmt.Errorf("go list -m -json %s: %w", Module, err)
		}
		if m.Dir != "" {
			return m.Dir, nil
		}
		dl := exec.CommandContext(ctx, "go", "mod", "download", Module)
		dl.Dir = moduleRoot
		if b, err := dl.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go mod download %s@%s: %v: %s", Module, m.Version, err, b)
		}
	}
	return "", fmt.Errorf("%s is not in the module cache after go mod download", Module)
}

// Validate decodes a Gateway API object strictly into the module's Go types: unknown
// fields and wrong types fail. Objects of other groups pass untouched.
func Validate(obj *unstructured.Unstructured) error {
	gvk := obj.GroupVersionKind()
	if gvk.Group != Group {
		return nil
	}
	var typed any
	switch gvk.Version + "/" + gvk.Kind {
	case "v1/Gateway":
		typed = &gwv1.Gateway{}
	case "v1/HTTPRoute":
		typed = &gwv1.HTTPRoute{}
	case "v1/GRPCRoute":
		typed = &gwv1.GRPCRoute{}
	case "v1alpha2/TLSRoute":
		typed = &gwv1alpha2.TLSRoute{}
	case "v1alpha2/TCPRoute":
		typed = &gwv1alpha2.TCPRoute{}
	case "v1beta1/ReferenceGrant":
		typed = &gwv1beta1.ReferenceGrant{}
	default:
		return fmt.Errorf("%s %s/%s: not a Gateway API kind the suite knows (%s)", gvk.Kind, gvk.Version, obj.GetName(), gvk.GroupVersion())
	}
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(typed); err != nil {
		return fmt.Errorf("%s %s/%s does not fit the Gateway API type: %v", gvk.Kind, gvk.Version, obj.GetName(), err)
	}
	return nil
}
