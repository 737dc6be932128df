// Package images makes sure every image a run needs exists before anything is created:
// present locally, or pulled now. A missing image fails the preflight with the image's role,
// the setting that overrides it and how to provide it offline.
package images

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/moby/client"

	"github.com/egressconformance/iec/harness/dockerx"
)

// Need is one image the run needs.
type Need struct {
	Role string // "kind node", "squid", …
	Ref  string
	Env  string // the setting that overrides it
}

// Puller pulls one image; tests replace it.
type Puller func(ctx context.Context, ref string) error

// Ensure checks the engine and every image, pulling the missing ones. It returns one error
// listing every image that is neither present nor pullable, each with how to provide it.
func Ensure(ctx context.Context, needs []Need, pull Puller, log func(string, ...any)) error {
	if err := dockerx.Ping(ctx); err != nil {
		return err
	}
	if pull == nil {
		pull = Pull
	}
	var errs []error
	for _, n := range needs {
		ok, err := dockerx.ImagePresent(ctx, n.Ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s image: %w", n.Role, err))
			continue
		}
		if ok {
			continue
		}
		log("pulling %s image %s", n.Role, n.Ref)
		if perr := pull(ctx, n.Ref); perr != nil {
			errs = append(errs, fmt.Errorf("%s image %s is not present and cannot be pulled (%s)\n  fix: on a machine with registry access `docker pull %s` and `docker save` it, then here `docker load -i <file>`; or set %s to an image that exists locally or in your mirror (EGRESS_IMAGE_REGISTRY moves every default image to one mirror)",
				n.Role, n.Ref, firstLine(perr.Error()), n.Ref, n.Env))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("preflight: images missing, nothing was created:\n%w", err)
	}
	return nil
}

// Pull pulls ref through the engine named by DOCKER_HOST.
func Pull(ctx context.Context, ref string) error {
	c, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return fmt.Errorf("docker client: %w: check DOCKER_HOST", err)
	}
	defer c.Close()
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
