package config

import (
	"errors"
	"flag"
	"os"
	"strings"
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
		for _, a := range s.Aliases {
			l.vals[a.Flag] = fs.String(a.Flag, "", "deprecated: the former name of -"+s.Flag+" (env "+a.Env+", now "+s.Env+")")
		}
	}
	return l
}

// Load resolves defaults → file → environment → flags, then validates. The settings given
// under a former name are in the result's Deprecated, for the caller to print.
func (l *Loader) Load(getenv func(string) string) (Config, error) {
	c := Default()
	var errs []error
	use := func(ly layer) {
		deps, set, e := ly.apply(&c)
		for i := range c.Deprecated {
			if set[c.Deprecated[i].Key] {
				c.Deprecated[i].InEffect = false
			}
		}
		c.Deprecated = append(c.Deprecated, deps...)
		errs = append(errs, e...)
	}
	path := getenv(FileEnv)
	if *l.file != "" {
		path = *l.file
	}
	if path != "" {
		// A file that was read is applied even with unknown keys, so that its bad values are
		// reported with them, in one message.
		file, err := fileLayer(path)
		if file.lookup != nil {
			use(file)
		}
		if err := invalid(err, invalid(errs...)); err != nil {
			return Config{}, err
		}
	}
	use(layer{
		name: func(n Names) string { return n.Env },
		lookup: func(n Names) (given, bool) {
			v := getenv(n.Env)
			return given{text: v, at: n.Env, label: n.Env + " (" + n.Key + ")"}, v != ""
		},
		assign: "=", remove: "unset",
	})
	flags := map[string]string{}
	l.fs.Visit(func(f *flag.Flag) {
		if v, ok := l.vals[f.Name]; ok {
			flags[f.Name] = *v
		}
	})
	use(layer{
		name: func(n Names) string { return "-" + n.Flag },
		lookup: func(n Names) (given, bool) {
			v, ok := flags[n.Flag]
			return given{text: v, at: "-" + n.Flag, label: "-" + n.Flag}, ok
		},
		assign: "=", remove: "drop",
	})
	if err := invalid(errs...); err != nil {
		return Config{}, err
	}
	if c.RunID == "" {
		c.RunID = NewRunID()
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// LoadEnviron is Load from an environment given as KEY=VALUE entries (os.Environ()), which
// also refuses EGRESS_* variables that name no setting (UnknownEnv), with everything else
// that is wrong, in one message.
func (l *Loader) LoadEnviron(environ []string) (Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	c, err := l.Load(func(k string) string { return env[k] })
	if unknown := UnknownEnv(environ); len(unknown) > 0 {
		return Config{}, invalid(append(unknown, err)...)
	}
	return c, err
}

// FromEnv loads with no flags: defaults → file → environment. For tools outside Ginkgo.
func FromEnv() (Config, error) {
	return NewLoader(flag.NewFlagSet("egress", flag.ContinueOnError)).LoadEnviron(os.Environ())
}

// InvalidError is a configuration that cannot run, with every problem found (each naming the
// setting, the bad value and the fix). Commands exit 2 on it (bad usage or configuration).
type InvalidError struct{ Problems []error }

func (e *InvalidError) Error() string {
	return "invalid configuration:\n" + errors.Join(e.Problems...).Error()
}

func (e *InvalidError) Unwrap() []error { return e.Problems }

// invalid is nil without problems, else an *InvalidError; nested ones are flattened.
func invalid(problems ...error) error {
	var flat []error
	for _, p := range problems {
		var ie *InvalidError
		switch {
		case p == nil:
		case errors.As(p, &ie):
			flat = append(flat, ie.Problems...)
		default:
			flat = append(flat, p)
		}
	}
	if len(flat) == 0 {
		return nil
	}
	return &InvalidError{Problems: flat}
}
