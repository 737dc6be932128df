package dockerx

import (
	"context"
	"errors"
	"fmt"
	"sort"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Labelled is a container or network that carries a label, with all its labels: what the
// sweep decides on, run by run.
type Labelled struct {
	Kind   string // "container" or "network"
	Name   string
	ID     string
	Labels map[string]string
}

func (l Labelled) String() string { return l.Kind + "/" + l.Name }

// ListLabelled lists every container (running or not) and network carrying label key.
func ListLabelled(ctx context.Context, key string) ([]Labelled, error) {
	if key == "" {
		return nil, errors.New("ListLabelled: empty label key: pass the run label, e.g. egress-conformance/run")
	}
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	var out []Labelled
	cs, err := c.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: labelFilter(key, "")})
	if err != nil {
		return nil, callErr(ctx, host, err, "listing containers labelled %s", key)
	}
	for _, it := range cs.Items {
		out = append(out, Labelled{Kind: "container", Name: containerName(it.ID, it.Names), ID: it.ID, Labels: it.Labels})
	}
	ns, err := c.NetworkList(ctx, client.NetworkListOptions{Filters: labelFilter(key, "")})
	if err != nil {
		return nil, callErr(ctx, host, err, "listing networks labelled %s", key)
	}
	for _, it := range ns.Items {
		out = append(out, Labelled{Kind: "network", Name: it.Name, ID: it.ID, Labels: it.Labels})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == "container" // containers first: networks are freed by them
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// RemoveLabelled removes the given containers (forced, with their volumes) and then the
// networks, and returns what it removed. Objects already gone are skipped.
func RemoveLabelled(ctx context.Context, objs []Labelled) (removed []string, err error) {
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	var errs []error
	for _, kind := range []string{"container", "network"} {
		for _, o := range objs {
			if o.Kind != kind {
				continue
			}
			if kind == "container" {
				_, err = c.ContainerRemove(ctx, o.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			} else {
				_, err = c.NetworkRemove(ctx, o.ID, client.NetworkRemoveOptions{})
			}
			switch {
			case err == nil:
				removed = append(removed, o.String())
			case cerrdefs.IsNotFound(err):
			case isUnreachable(ctx, err):
				return removed, unreachable(host, err)
			default:
				why := ""
				if kind == "network" {
					why = " (still used by a container of another run?)"
				}
				errs = append(errs, fmt.Errorf("removing %s%s: %s", o, why, oneLine(err)))
			}
		}
	}
	return removed, errors.Join(errs...)
}
