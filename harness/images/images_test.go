//go:build l2

package images

// Against the machine's real Docker engine (make test starts it): a present image passes,
// a missing one is reported with its role, its setting and how to provide it, and an
// unreachable engine gives one line naming DOCKER_HOST.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/egressconformance/iec/harness/dockerx"
)

func TestEnsureReportsEveryMissingImage(t *testing.T) {
	ctx := context.Background()
	if err := dockerx.Ping(ctx); err != nil {
		t.Fatalf("this test needs the Docker engine: %v", err)
	}
	refusing := func(ctx context.Context, ref string) error { return errors.New("registry unreachable (test)") }
	var pulled []string
	log := func(f string, a ...any) { pulled = append(pulled, f) }
	err := Ensure(ctx, []Need{
		{Role: "squid", Ref: "egress-conformance/does-not-exist:1", Env: "EGRESS_IMAGE_SQUID"},
		{Role: "curl client", Ref: "egress-conformance/missing-too:2", Env: "EGRESS_IMAGE_CURL"},
	}, refusing, log)
	if err == nil {
		t.Fatal("missing images accepted")
	}
	for _, want := range []string{"nothing was created", "squid image egress-conformance/does-not-exist:1 is not present and cannot be pulled (registry unreachable (test))",
		"EGRESS_IMAGE_SQUID", "EGRESS_IMAGE_CURL", "docker load"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
	if len(pulled) != 2 {
		t.Errorf("each missing image must be tried once, got %d", len(pulled))
	}
}

func TestEnsureAcceptsPresentImagesWithoutPulling(t *testing.T) {
	ctx := context.Background()
	ref := "egress-lab/debian:bookworm" // built by `make lab-images`, which make test runs first
	if ok, err := dockerx.ImagePresent(ctx, ref); err != nil || !ok {
		t.Fatalf("%s must exist (make lab-images): %v", ref, err)
	}
	never := func(ctx context.Context, ref string) error {
		t.Fatalf("pulled %s although it is present", ref)
		return nil
	}
	if err := Ensure(ctx, []Need{{Role: "base", Ref: ref, Env: "X"}}, never, t.Logf); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureUnreachableDockerNamesDOCKER_HOST(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	err := Ensure(context.Background(), []Need{{Role: "x", Ref: "x:1", Env: "X"}}, nil, t.Logf)
	if err == nil || !strings.Contains(err.Error(), "DOCKER_HOST") || strings.Contains(err.Error(), "goroutine") {
		t.Fatalf("want one clear line naming DOCKER_HOST, got %v", err)
	}
}
