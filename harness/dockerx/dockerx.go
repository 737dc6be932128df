// Package dockerx holds the few Docker engine calls the harness makes directly (outside
// testcontainers and kind): is the engine there, is an image present locally, and sweeping
// what a run left behind by label.
//
// The client is the Docker Engine API client that testcontainers-go v0.44 brings,
// github.com/moby/moby/client (the successor of github.com/docker/docker/client, which is not
// in this module's graph). It is configured like the docker CLI's environment: DOCKER_HOST,
// DOCKER_API_VERSION, DOCKER_CERT_PATH, DOCKER_TLS_VERIFY; the API version is negotiated with
// the engine (the oldest engine it accepts speaks API 1.40). Docker CLI contexts
// (DOCKER_CONTEXT, `docker context use`) are not read: export DOCKER_HOST instead.
package dockerx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// DefaultTimeout bounds a call when the caller's context has no deadline, so that an engine
// address that swallows packets cannot hang the run.
const DefaultTimeout = 30 * time.Second

// newClient builds a client from the environment. The returned host is what the client
// dials, for error messages.
func newClient() (*client.Client, string, error) {
	c, err := client.New(client.FromEnv)
	if err != nil {
		host := os.Getenv(client.EnvOverrideHost)
		return nil, host, fmt.Errorf("cannot configure the Docker client from the environment (DOCKER_HOST=%q): %v: set DOCKER_HOST to a valid address such as unix:///var/run/docker.sock or tcp://HOST:2375", host, err)
	}
	return c, c.DaemonHost(), nil
}

// connect is one engine call's client, the host it dials (for messages) and its context
// (DefaultTimeout when ctx has no deadline); done releases both.
func connect(ctx context.Context) (context.Context, *client.Client, string, func(), error) {
	c, host, err := newClient()
	if err != nil {
		return ctx, nil, host, func() {}, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	return ctx, c, host, func() { cancel(); c.Close() }, nil
}

// withDefaultTimeout applies DefaultTimeout when ctx has no deadline.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

// unreachable is the one message every function gives when the engine cannot be reached.
func unreachable(host string, cause error) error {
	return &UnreachableError{Host: host, Cause: cause}
}

// UnreachableError says the Docker engine could not be reached. Callers can test for it with
// errors.As to tell "no Docker" apart from an engine that answered with an error.
type UnreachableError struct {
	Host  string
	Cause error
}

func (e *UnreachableError) Error() string {
	src := ""
	if os.Getenv(client.EnvOverrideHost) != "" {
		src = " (from DOCKER_HOST)"
	}
	return fmt.Sprintf("docker is not running or not reachable at %s%s (%s): start the Docker engine or set DOCKER_HOST",
		e.Host, src, oneLine(e.Cause))
}

func (e *UnreachableError) Unwrap() error { return e.Cause }

// isUnreachable reports whether err means the engine was not reached at all (as opposed to
// an API error the engine returned).
func isUnreachable(ctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	if client.IsErrConnectionFailed(err) {
		return true
	}
	// A deadline while dialing or waiting for the first byte: nothing answered in time.
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return true
	}
	// Errors that were never an HTTP response from the engine carry no errdefs class.
	msg := err.Error()
	for _, s := range []string{"connection refused", "no such host", "dial unix", "dial tcp", "i/o timeout", "EOF", "connection reset"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// oneLine keeps error text on one line (engine errors are short, but be safe in logs).
func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// callErr is the error of an engine call at host that failed with err: an *UnreachableError
// when the engine was not reached, else what the call was doing (format and a) and the
// engine's answer on one line.
func callErr(ctx context.Context, host string, err error, format string, a ...any) error {
	if isUnreachable(ctx, err) {
		return unreachable(host, err)
	}
	return fmt.Errorf("%s on %s: %s", fmt.Sprintf(format, a...), host, oneLine(err))
}

// containerName is a listed container's name without the engine's leading "/", or its id
// when it has none.
func containerName(id string, names []string) string {
	if len(names) > 0 {
		return strings.TrimPrefix(names[0], "/")
	}
	return id
}

// Ping checks that the Docker engine answers. The error names the address tried and says how
// to fix it.
func Ping(ctx context.Context) error {
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	if _, err := c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return unreachable(host, err)
	}
	return nil
}

// ImagePresent reports whether an image is available locally under ref (a name, name:tag,
// name@digest or image ID), with the engine's own matching rules, which are also the ones
// kind uses before it decides to pull. A reference pinned by digest only matches an image
// that was pulled from a registry (it has a RepoDigest); an image built or `docker load`ed
// locally is found by its tag.
func ImagePresent(ctx context.Context, ref string) (bool, error) {
	if strings.TrimSpace(ref) == "" {
		return false, errors.New("ImagePresent: empty image reference: pass an image name such as kindest/node:v1.37.0")
	}
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return false, err
	}
	defer done()
	_, err = c.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return true, nil
	case cerrdefs.IsNotFound(err):
		return false, nil
	case isUnreachable(ctx, err):
		return false, unreachable(host, err)
	default:
		return false, fmt.Errorf("inspecting image %q on the Docker engine at %s: %s: check that the reference is well formed ([registry/]repository[:tag][@sha256:digest])", ref, host, oneLine(err))
	}
}

// labelFilter is the engine filter for key=value (or just key when value is empty).
func labelFilter(key, value string) client.Filters {
	if value == "" {
		return make(client.Filters).Add("label", key)
	}
	return make(client.Filters).Add("label", key+"="+value)
}

// ListByLabel returns the names of the containers (running or not) and networks that carry
// the label key=value. An empty value matches any value of key.
func ListByLabel(ctx context.Context, key, value string) (containers []string, networks []string, err error) {
	if key == "" {
		return nil, nil, errors.New("ListByLabel: empty label key: pass the run label, e.g. egress-conformance/run")
	}
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer done()
	cs, err := listContainers(ctx, c, host, key, value)
	if err != nil {
		return nil, nil, err
	}
	ns, err := listNetworks(ctx, c, host, key, value)
	if err != nil {
		return nil, nil, err
	}
	for _, x := range cs {
		containers = append(containers, x.name)
	}
	for _, x := range ns {
		networks = append(networks, x.name)
	}
	return containers, networks, nil
}

type named struct{ id, name string }

func listContainers(ctx context.Context, c *client.Client, host, key, value string) ([]named, error) {
	res, err := c.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: labelFilter(key, value)})
	if err != nil {
		return nil, callErr(ctx, host, err, "listing containers labelled %s=%s", key, value)
	}
	out := make([]named, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, named{id: it.ID, name: containerName(it.ID, it.Names)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func listNetworks(ctx context.Context, c *client.Client, host, key, value string) ([]named, error) {
	res, err := c.NetworkList(ctx, client.NetworkListOptions{Filters: labelFilter(key, value)})
	if err != nil {
		return nil, callErr(ctx, host, err, "listing networks labelled %s=%s", key, value)
	}
	out := make([]named, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, named{id: it.ID, name: it.Name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// RemoveByLabel force-removes (kills if running, with anonymous volumes) every container
// carrying key=value, then every network carrying it, and returns what it removed as
// "container/<name>" and "network/<name>". Objects that vanish meanwhile are not errors; the
// other failures are collected and returned together, after everything removable was removed.
// An empty value matches any value of key, which sweeps all runs: pass the run ID to sweep one.
func RemoveByLabel(ctx context.Context, key, value string) (removed []string, err error) {
	objs, err := ListLabelled(ctx, key)
	if err != nil {
		return nil, err
	}
	var match []Labelled
	for _, o := range objs {
		if value == "" || o.Labels[key] == value {
			match = append(match, o)
		}
	}
	removed, err = RemoveLabelled(ctx, match)
	var ue *UnreachableError
	if err != nil && !errors.As(err, &ue) {
		return removed, fmt.Errorf("removing Docker objects labelled %s=%s: %w; inspect them with `docker ps -a --filter label=%s=%s` and `docker network ls --filter label=%s=%s`",
			key, value, err, key, value, key, value)
	}
	return removed, err
}
