package config

import (
	"fmt"
	"os"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// fileLayer reads a YAML file whose keys are the settings' keys (nested maps), to be applied
// through the same setters as the environment, so a bad value reads the same wherever it came
// from. Values are taken as written: `version: 1.30` is "1.30" (a full release is then asked
// for), never the float 1.3. A key given twice, or one no setting has (nor had: Aliases), is
// an error naming its line, since the last of two silently winning is how typos go unnoticed;
// the layer is still returned then (only a file that cannot be read or parsed gives none), so
// that the values of the known keys are checked too.
func fileLayer(path string) (layer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return layer{}, fmt.Errorf("config file %s cannot be read (%v): fix the path in %s or -egress.config", path, err, FileEnv)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return layer{}, fmt.Errorf("config file %s is not valid YAML: %v", path, err)
	}
	flat := map[string]scalar{}
	var errs []error
	if len(doc.Content) > 0 {
		errs = flattenNode(path, "", doc.Content[0], flat)
	}
	byKey, known, renamed := nameIndex(func(n Names) string { return n.Key })
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !byKey[k] {
			errs = append(errs, fmt.Errorf("%s:%d: unknown setting %q%s: see docs/configuration.md", path, flat[k].line, k, didYouMean(k, known, renamed)))
		}
	}
	return layer{
		name: func(n Names) string { return n.Key },
		lookup: func(n Names) (given, bool) {
			v, ok := flat[n.Key]
			at := fmt.Sprintf("%s:%d: %s", path, v.line, n.Key)
			return given{text: v.text, at: at, label: at}, ok
		},
		assign: ": ", remove: "delete",
	}, invalid(errs...)
}

// scalar is one leaf of the file: its text as written and its line.
type scalar struct {
	text string
	line int
}

func flattenNode(path, prefix string, n *yaml.Node, out map[string]scalar) []error {
	switch n.Kind {
	case yaml.MappingNode:
		var errs []error
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if first, dup := seen[k.Value]; dup {
				errs = append(errs, fmt.Errorf("%s:%d: %q is given twice (first at line %d): keep one", path, k.Line, join(prefix, k.Value), first))
				continue
			}
			seen[k.Value] = k.Line
			errs = append(errs, flattenNode(path, join(prefix, k.Value), v, out)...)
		}
		return errs
	case yaml.ScalarNode:
		text := n.Value
		if n.Tag == "!!null" {
			text = ""
		}
		out[prefix] = scalar{text, n.Line}
		return nil
	case yaml.AliasNode:
		return flattenNode(path, prefix, n.Alias, out)
	default:
		return []error{fmt.Errorf("%s:%d: %s: a list is not a value any setting takes: give a single value", path, n.Line, strings.TrimPrefix(prefix, "."))}
	}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
