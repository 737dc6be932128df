package images

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/moby/moby/client"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
)

// LoadIntoKind copies local images into every node of a kind cluster (what `kind load
// docker-image` does, skipping nodes that already have an image), for clusters that cannot
// pull: air-gapped runners and the offline lab. The images a node lacks go in as one `docker
// save` archive, so layers they share cross once.
// Pods must then refer to the image by tag: `docker save` carries no registry digest, so a
// digest-pinned reference would still make containerd try the registry.
func LoadIntoKind(ctx context.Context, clusterName string, refs []string) error {
	nodes, err := kindcluster.NewProvider(kindcluster.ProviderWithDocker()).ListInternalNodes(clusterName)
	if err != nil {
		return fmt.Errorf("listing the nodes of kind cluster %s: %w", clusterName, err)
	}
	if len(nodes) == 0 {
		return fmt.Errorf("kind cluster %s has no nodes: create it first (make e2e creates it)", clusterName)
	}
	ids := make(map[string]string, len(refs))
	for _, ref := range refs {
		if ids[ref], err = localImageID(ctx, ref); err != nil {
			return err
		}
	}
	for _, n := range nodes {
		var missing []string
		for _, ref := range refs {
			// Like `kind load docker-image`: a node that already has this very image (same
			// ID: a reused cluster, a node image built with it) is left alone.
			if have, err := nodeutils.ImageID(n, ref); err == nil && have == ids[ref] {
				continue
			}
			missing = append(missing, ref)
		}
		if len(missing) == 0 {
			continue
		}
		if err := streamSave(ctx, missing, func(r io.Reader) error { return nodeutils.LoadImageArchive(n, r) }); err != nil {
			return fmt.Errorf("loading images %v into node %s: %w", missing, n.String(), err)
		}
	}
	return nil
}

// SaveArchive writes local images into one `docker save` archive, for `docker load` or
// `kind load image-archive` on a machine without registry access.
func SaveArchive(ctx context.Context, refs []string, path string) error {
	// Written beside path and renamed when complete: a failed save leaves no archive (an
	// empty or cut one would fail only on the air-gapped machine, at docker load).
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	defer f.Close()
	if err := streamSave(ctx, refs, func(r io.Reader) error { _, err := io.Copy(f, r); return err }); err != nil {
		return fmt.Errorf("saving %v to %s: %w", refs, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

func localImageID(ctx context.Context, ref string) (string, error) {
	c, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return "", fmt.Errorf("docker client: %w: check DOCKER_HOST", err)
	}
	defer c.Close()
	res, err := c.ImageInspect(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("image %s is not in the local Docker engine (%w): build or pull it, or `docker load` it, before loading it into kind", ref, err)
	}
	return res.ID, nil
}

func streamSave(ctx context.Context, refs []string, sink func(io.Reader) error) error {
	c, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return fmt.Errorf("docker client: %w: check DOCKER_HOST", err)
	}
	defer c.Close()
	rc, err := c.ImageSave(ctx, refs)
	if err != nil {
		return err
	}
	defer rc.Close()
	return sink(rc)
}
