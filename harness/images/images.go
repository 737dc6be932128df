// Package images makes sure every image a run needs exists before anything is created:
// present locally, or pulled now. A missing image fails the preflight with the image's role,
// the setting that overrides it and how to provide it offline.
package images

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Need is one image the run needs.
type Need struct {
	Role string // "kind node", "squid", …
	Ref  string
	Env  string // the setting that overrides it
}

// Docker connects to the engine named by DOCKER_HOST (or the default socket).
func Docker() (*client.Client, error) {
	c, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w: check DOCKER_HOST", err)
	}
	return c, nil
}

// Ping fails with one clear line when the engine is not reachable.
func Ping(ctx context.Context, c *client.Client) error {
	if _, err := c.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("docker is not running or not reachable at %s (%s): start the Docker engine or set DOCKER_HOST", c.DaemonHost(), firstLine(err.Error()))
	}
	return nil
}

// Present reports whether ref exists in the engine's image store.
func Present(ctx context.Context, c *client.Client, ref string) (bool, error) {
	_, err := c.ImageInspect(ctx, ref)
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	return false, fmt.Errorf("inspecting image %s: %w", ref, err)
}

// Ensure checks every image and pulls the missing ones. It returns one error listing every
// image that is neither present nor pullable, each with how to provide it.
func Ensure(ctx context.Context, c *client.Client, needs []Need, log func(string, ...any)) error {
	var errs []error
	for _, n := range needs {
		ok, err := Present(ctx, c, n.Ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			continue
		}
		log("pulling %s image %s", n.Role, n.Ref)
		if perr := pull(ctx, c, n.Ref); perr != nil {
			errs = append(errs, fmt.Errorf("%s image %s is not present and cannot be pulled (%s)\n  fix: on a machine with registry access `docker pull %s && docker save %s -o img.tar`, then here `docker load -i img.tar`; or set %s to an image that exists locally or in your mirror (or EGRESS_IMAGE_REGISTRY for all fixture images)",
				n.Role, n.Ref, firstLine(perr.Error()), n.Ref, n.Ref, n.Env))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("preflight: images missing:\n%w", err)
	}
	return nil
}

func pull(ctx context.Context, c *client.Client, ref string) error {
	resp, err := c.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return err
	}
	return resp.Wait(ctx)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
