package expect

import (
	"fmt"

	"github.com/egressconformance/iec/fixtures"
)

// SquidTunnel: Squid logged a new, successful CONNECT tunnel to target (template,
// "{{.HTTPSHost}}:443") during the probe: `TCP_TUNNEL/200 … CONNECT <target>`.
func SquidTunnel(target string) Expectation {
	return check{name: "squid logged TCP_TUNNEL/200 CONNECT " + target, needs: fixtures.Needs{Squid: true}, fn: func(o *fixtures.Observation) error {
		want, err := render(target, o)
		if err != nil {
			return err
		}
		for _, e := range o.Squid {
			if e.Method == "CONNECT" && e.URL == want && e.ResultCode == "TCP_TUNNEL" && e.Status == 200 {
				return nil
			}
		}
		return fmt.Errorf("no such line among %d new entries%s", len(o.Squid), squidSample(o))
	}}
}

// NoSquidTraffic: Squid saw nothing during the probe (the request never left the pod).
func NoSquidTraffic() Expectation {
	return check{name: "squid saw no request", needs: fixtures.Needs{Squid: true}, fn: func(o *fixtures.Observation) error {
		if len(o.Squid) > 0 {
			return fmt.Errorf("squid logged %q", o.Squid[0].Raw)
		}
		return nil
	}}
}

func squidSample(o *fixtures.Observation) string {
	s := ""
	for i, e := range o.Squid {
		if i == 3 {
			break
		}
		s += "\n  " + e.Raw
	}
	return s
}
