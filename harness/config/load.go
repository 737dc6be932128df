package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Loader binds the settings to a FlagSet and resolves the layers.
type Loader struct {
	fs   *flag.FlagSet
	file *string
	vals map[string]*string
}

// NewLoader registers -egress.config and one -egress.<key> flag per setting on fs.
// Call fs.Parse (or let `go test`/ginkgo do it), then Load.
func NewLoader(fs *flag.FlagSet) *Loader {
	l := &Loader{fs: fs, vals: map[string]*string{}}
	l.file = fs.String("egress.config", "", "YAML config file (also "+FileEnv+")")
	for _, s := range Settings {
		l.vals[s.Flag] = fs.String(s.Flag, "", s.Help+" (env "+s.Env+")")
	}
	return l
}

// Load resolves defaults → file → environment → flags, then validates.
func (l *Loader) Load(getenv func(string) string) (Config, error) {
	c := Default()
	path := getenv(FileEnv)
	if *l.file != "" {
		path = *l.file
	}
	if path != "" {
		if err := applyFile(&c, path); err != nil {
			return Config{}, err
		}
	}
	var errs []error
	for _, s := range Settings {
		if v := getenv(s.Env); v != "" {
			if err := s.set(&c, v); err != nil {
				errs = append(errs, fmt.Errorf("%s (%s): %w", s.Env, s.Key, err))
			}
		}
	}
	l.fs.Visit(func(f *flag.Flag) {
		for _, s := range Settings {
			if s.Flag == f.Name {
				if err := s.set(&c, *l.vals[s.Flag]); err != nil {
					errs = append(errs, fmt.Errorf("-%s: %w", s.Flag, err))
				}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	if c.RunID == "" {
		c.RunID = NewRunID()
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// FromEnv loads with no flags: defaults → file → environment. For tools outside Ginkgo.
func FromEnv() (Config, error) {
	return NewLoader(flag.NewFlagSet("egress", flag.ContinueOnError)).Load(os.Getenv)
}

// applyFile reads a YAML file whose keys are the settings' keys (nested maps), through the
// same setters as the environment, so a bad value reads the same wherever it came from.
func applyFile(c *Config, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file %s cannot be read (%v): fix the path in %s or -egress.config", path, err, FileEnv)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return fmt.Errorf("config file %s is not valid YAML: %v", path, err)
	}
	flat := map[string]string{}
	flatten("", tree, flat)
	byKey := map[string]Setting{}
	for _, s := range Settings {
		byKey[s.Key] = s
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		s, ok := byKey[k]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown setting %q: see the configuration table in README.md", path, k))
			continue
		}
		if err := s.set(c, flat[k]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", path, k, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	return nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, vv := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, vv, out)
		}
	case nil:
		out[prefix] = ""
	case string:
		out[prefix] = t
	case float64:
		out[prefix] = strings.TrimSuffix(fmt.Sprintf("%f", t), ".000000")
	default:
		out[prefix] = fmt.Sprint(t)
	}
}
