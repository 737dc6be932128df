package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/images"
)

// imageRoles are the images a run uses, with the setting that overrides each.
func imageRoles(cfg config.Config) []images.Need {
	return append(fixtures.Images(cfg),
		images.Need{Role: "istio pilot", Ref: cfg.Istio.Hub + "/pilot:" + cfg.IstioTag(), Env: "EGRESS_ISTIO_HUB/EGRESS_ISTIO_TAG"},
		images.Need{Role: "istio proxyv2", Ref: cfg.Istio.Hub + "/proxyv2:" + cfg.IstioTag(), Env: "EGRESS_ISTIO_HUB/EGRESS_ISTIO_TAG"},
	)
}

// imagesCmd: list | save FILE | load CLUSTER.
func imagesCmd(ctx context.Context, args []string, w io.Writer) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	roles := imageRoles(cfg)
	sub := "list"
	if len(args) > 0 {
		sub = args[0]
	}
	bounds, ok := map[string][2]int{"list": {0, 0}, "save": {1, 1}, "load": {0, 1}}[sub]
	if !ok {
		return usageErrorf("unknown images command %q: use list, save FILE or load [CLUSTER]", sub)
	}
	if n := len(args) - 1; len(args) > 0 && (n < bounds[0] || n > bounds[1]) {
		return usageErrorf("images %s takes %d to %d arguments, got %q", sub, bounds[0], bounds[1], args[1:])
	}
	switch sub {
	case "list":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROLE\tIMAGE\tSETTING\tLOCAL")
		for _, n := range roles {
			present, err := dockerx.ImagePresent(ctx, n.Ref)
			state := fmt.Sprint(present)
			if err != nil {
				state = "unknown (" + err.Error() + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Role, n.Ref, n.Env, state)
		}
		return tw.Flush()
	case "save":
		var refs, missing []string
		for _, n := range roles {
			refs = append(refs, n.Ref)
			if ok, err := dockerx.ImagePresent(ctx, n.Ref); err != nil {
				return err
			} else if !ok {
				missing = append(missing, fmt.Sprintf("%s (%s; setting %s)", n.Ref, n.Role, n.Env))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("not saving %s: %d images are not present locally: %s: build or pull them first (make images, make lab-images), or point their settings at present ones",
				args[1], len(missing), strings.Join(missing, ", "))
		}
		if err := images.SaveArchive(ctx, refs, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(w, "saved %d images to %s: `docker load -i %s` on the air-gapped machine\n", len(refs), args[1], args[1])
		return nil
	case "load":
		name := cfg.Cluster.Name
		if len(args) > 1 {
			name = args[1]
		}
		var refs []string
		for _, n := range roles[1:2] { // what pods in the cluster run (Istio's images come from its hub)
			refs = append(refs, n.Ref)
		}
		if err := images.LoadIntoKind(ctx, name, refs); err != nil {
			return err
		}
		fmt.Fprintf(w, "loaded %v into kind cluster %s\n", refs, name)
		return nil
	}
	return usageErrorf("unknown images command %q: use list, save FILE or load [CLUSTER]", sub)
}
