package dockerx

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/egressconformance/iec/internal/testkit"
)

// requireDocker skips the test when no engine answers in the test's environment.
func requireDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := Ping(ctx); err != nil {
		t.Skipf("needs a running Docker engine: %v", err)
	}
}

// importEmptyImage creates a zero-layer image from an empty tar (no registry needed) and
// removes it when the test ends.
func importEmptyImage(t *testing.T, ref string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	c, _, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rc, err := c.ImageImport(ctx, client.ImageImportSource{Source: &buf, SourceName: "-"}, ref, client.ImageImportOptions{})
	if err != nil {
		t.Fatalf("importing test image %s: %v", ref, err)
	}
	out, _ := io.ReadAll(rc)
	rc.Close()
	if bytes.Contains(out, []byte(`"error"`)) {
		t.Fatalf("importing test image %s: %s", ref, out)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
			t.Logf("removing test image %s: %v", ref, err)
		}
		c.Close()
	})
}

func TestPingRunningEngine(t *testing.T) {
	requireDocker(t)
	if err := Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnreachableEngine(t *testing.T) {
	for _, host := range []string{"unix:///nonexistent.sock", "tcp://" + closedPort(t)} {
		t.Run(host, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", host)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			check := func(what string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error with DOCKER_HOST=%s", what, host)
				}
				msg := err.Error()
				for _, want := range []string{"docker is not running or not reachable at " + host, "DOCKER_HOST", "start the Docker engine"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: error %q lacks %q", what, msg, want)
					}
				}
				for _, bad := range []string{"goroutine ", ".go:", "\n"} {
					if strings.Contains(msg, bad) {
						t.Errorf("%s: error %q looks like a stack trace (contains %q)", what, msg, bad)
					}
				}
				var ue *UnreachableError
				if !errors.As(err, &ue) {
					t.Errorf("%s: error is %T, want *UnreachableError", what, err)
				}
			}
			check("Ping", Ping(ctx))
			_, err := ImagePresent(ctx, "busybox:latest")
			check("ImagePresent", err)
			_, _, err = ListByLabel(ctx, "egress-conformance/run", "x")
			check("ListByLabel", err)
			_, err = RemoveByLabel(ctx, "egress-conformance/run", "x")
			check("RemoveByLabel", err)
		})
	}
}

func TestMalformedDockerHost(t *testing.T) {
	t.Setenv("DOCKER_HOST", "not a host")
	err := Ping(context.Background())
	if err == nil || !strings.Contains(err.Error(), "DOCKER_HOST") {
		t.Fatalf("want an error naming DOCKER_HOST, got %v", err)
	}
}

func TestImagePresent(t *testing.T) {
	requireDocker(t)
	ref := "iec-test/dockerx-empty:" + testkit.Suffix(t)
	importEmptyImage(t, ref)
	ctx := context.Background()

	ok, err := ImagePresent(ctx, ref)
	if err != nil || !ok {
		t.Fatalf("ImagePresent(%s) = %v, %v; want true, nil", ref, ok, err)
	}
	missing := "iec-test/does-not-exist:" + testkit.Suffix(t)
	ok, err = ImagePresent(ctx, missing)
	if err != nil || ok {
		t.Fatalf("ImagePresent(%s) = %v, %v; want false, nil", missing, ok, err)
	}
	// A digest that cannot exist locally.
	ok, err = ImagePresent(ctx, "iec-test/none@sha256:"+strings.Repeat("0", 64))
	if err != nil || ok {
		t.Fatalf("ImagePresent(digest) = %v, %v; want false, nil", ok, err)
	}
	if _, err := ImagePresent(ctx, " "); err == nil {
		t.Fatal("ImagePresent(\" \") gave no error")
	}
}

func TestListAndRemoveByLabel(t *testing.T) {
	requireDocker(t)
	id := testkit.Suffix(t)
	ref := "iec-test/dockerx-empty:" + id
	importEmptyImage(t, ref)
	const key = "egress-conformance/dockerx-test"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	c, _, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	labels := map[string]string{key: id}
	cname := "iec-dockerx-" + id
	nname := "iec-dockerx-net-" + id
	if _, err := c.NetworkCreate(ctx, nname, client.NetworkCreateOptions{Labels: labels}); err != nil {
		t.Fatalf("creating network: %v", err)
	}
	// Created, never started: the image has no files, the command does not need to exist.
	if _, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:   cname,
		Config: &container.Config{Image: ref, Cmd: []string{"/nothing"}, Labels: labels},
	}); err != nil {
		t.Fatalf("creating container: %v", err)
	}
	t.Cleanup(func() { _, _ = RemoveByLabel(context.Background(), key, id) })

	cs, ns, err := ListByLabel(ctx, key, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cs, []string{cname}) || !slices.Equal(ns, []string{nname}) {
		t.Fatalf("ListByLabel = %v, %v; want [%s], [%s]", cs, ns, cname, nname)
	}
	// Another value of the same key is not matched.
	cs, ns, err = ListByLabel(ctx, key, id+"-other")
	if err != nil || len(cs)+len(ns) != 0 {
		t.Fatalf("ListByLabel(other value) = %v, %v, %v; want nothing", cs, ns, err)
	}

	removed, err := RemoveByLabel(ctx, key, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"container/" + cname, "network/" + nname}
	if !slices.Equal(removed, want) {
		t.Fatalf("RemoveByLabel = %v, want %v", removed, want)
	}
	cs, ns, err = ListByLabel(ctx, key, id)
	if err != nil || len(cs)+len(ns) != 0 {
		t.Fatalf("after RemoveByLabel: %v, %v, %v; want nothing left", cs, ns, err)
	}
	// Idempotent.
	removed, err = RemoveByLabel(ctx, key, id)
	if err != nil || len(removed) != 0 {
		t.Fatalf("second RemoveByLabel = %v, %v; want nothing, nil", removed, err)
	}
}
