package expect

import (
	"fmt"
	"strings"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/fixtures/outside/echo"
)

var (
	destNeeds      = fixtures.Needs{Destination: true}
	handshakeNeeds = fixtures.Needs{Destination: true, Handshakes: true}
)

func hermetic(o *fixtures.Observation) error {
	if !o.Hermetic {
		return fmt.Errorf("%w: the destination is a public host in internet mode and records nothing for us", ErrNotApplicable)
	}
	return nil
}

// SeenByDestination: the outside world recorded this probe's request (judged at the
// destination, not only at the client).
func SeenByDestination() Expectation {
	return check{name: "seen by the destination", needs: destNeeds, fn: func(o *fixtures.Observation) error {
		if err := hermetic(o); err != nil {
			return err
		}
		if len(httpRecords(o)) == 0 {
			return fmt.Errorf("no echo container recorded probe %s", o.ID)
		}
		return nil
	}}
}

// NotSeenByDestination: no echo container recorded this probe: no HTTP request and no failed
// TLS handshake for its host while it ran reached the outside world (a refused origination
// reaches it in its handshake: RefusedInHandshake).
func NotSeenByDestination() Expectation {
	return check{name: "never reached the destination", needs: handshakeNeeds, fn: func(o *fixtures.Observation) error {
		if err := noRequest(o); err != nil {
			return err
		}
		if hs := o.Handshakes; len(hs) > 0 {
			return fmt.Errorf("%d TLS handshake(s) for %s reached it while the probe ran, first from %s (%s)", len(hs), hs[0].TLS.SNI, hs[0].RemoteIP, hs[0].Error)
		}
		return nil
	}}
}

// RefusedInHandshake: the connection reached the destination but its TLS handshake failed
// there — the outside world recorded a failed handshake for the probe's host while the probe
// ran — and no request of the probe arrived. The right reason for a refused origination (the
// proxy distrusts the server, or the server refuses the proxy's client certificate), which a
// broken route or a stopped server would not give.
func RefusedInHandshake() Expectation {
	return check{name: "refused in the TLS handshake at the destination, no request", needs: handshakeNeeds, fn: func(o *fixtures.Observation) error {
		if err := noRequest(o); err != nil {
			return err
		}
		if len(o.Handshakes) == 0 {
			return fmt.Errorf("no failed TLS handshake for the probe's host was recorded while it ran: the connection never reached the destination")
		}
		return nil
	}}
}

// DestinationHeader: the destination saw request header name with value (e.g. a header
// only the egress gateway's route adds: proof the request went through the gateway).
func DestinationHeader(name, value string) Expectation {
	return check{name: fmt.Sprintf("destination saw header %s: %s", name, value), needs: destNeeds, fn: func(o *fixtures.Observation) error {
		recs, err := arrived(o)
		if err != nil {
			return err
		}
		for _, r := range recs {
			for k, vs := range r.Headers {
				if strings.EqualFold(k, name) {
					for _, v := range vs {
						if v == value {
							return nil
						}
					}
				}
			}
		}
		return fmt.Errorf("header absent or different; headers seen: %v", recs[0].Headers)
	}}
}

// DestinationHost: the destination saw this Host header (template over Vars).
func DestinationHost(host string) Expectation {
	return check{name: "destination saw Host " + host, needs: destNeeds, fn: eachArrivedWants(host, func(r echo.Record, want string) error {
		if hostOnly(r.Host) != want {
			return fmt.Errorf("saw Host %q", r.Host)
		}
		return nil
	})}
}

// DestinationTLS: the destination saw the request over TLS with this SNI (template).
func DestinationTLS(sni string) Expectation {
	return check{name: "destination saw TLS with SNI " + sni, needs: destNeeds, fn: eachArrivedWants(sni, func(r echo.Record, want string) error {
		if r.TLS == nil {
			return fmt.Errorf("request arrived in plain HTTP on the %s listener", r.Listener)
		}
		if r.TLS.SNI != want {
			return fmt.Errorf("SNI was %q", r.TLS.SNI)
		}
		return nil
	})}
}

// DestinationRole: the probe's request reached this echo container ("httpbin" or "secure")
// and no other.
func DestinationRole(role string) Expectation {
	return check{name: "answered by the " + role + " container", needs: destNeeds, fn: func(o *fixtures.Observation) error {
		if err := hermetic(o); err != nil {
			return err
		}
		var where []string
		for r, recs := range o.Destination {
			if len(recs) > 0 {
				where = append(where, r)
			}
		}
		if len(where) != 1 || where[0] != role {
			return fmt.Errorf("reached %v", where)
		}
		return nil
	}}
}

// noRequest fails when an HTTP request of the probe reached the outside world, or when the
// outside world is not ours to ask (internet mode: not applicable).
func noRequest(o *fixtures.Observation) error {
	if err := hermetic(o); err != nil {
		return err
	}
	if recs := httpRecords(o); len(recs) > 0 {
		return fmt.Errorf("%d request(s) reached it, first from %s to %s%s", len(recs), recs[0].RemoteIP, recs[0].Host, recs[0].URI)
	}
	return nil
}

func httpRecords(o *fixtures.Observation) []echo.Record {
	var out []echo.Record
	for _, r := range o.DestinationRecords() {
		if r.Method != "" {
			out = append(out, r)
		}
	}
	return out
}

func hostOnly(h string) string {
	if i := strings.LastIndex(h, ":"); i > 0 && !strings.Contains(h[i:], "]") {
		return h[:i]
	}
	return h
}

// DestinationClientCert: the destination verified a client certificate whose subject
// contains subject (e.g. the CN of the certificate the proxy was given).
func DestinationClientCert(subject string) Expectation {
	return check{name: "destination verified a client certificate of " + subject, needs: destNeeds, fn: func(o *fixtures.Observation) error {
		return everyArrived(o, func(r echo.Record) error {
			if r.TLS == nil || !r.TLS.PeerVerified || !strings.Contains(r.TLS.PeerSubject, subject) {
				return fmt.Errorf("the server saw %+v", r.TLS)
			}
			return nil
		})
	}}
}

// arrived returns the probe's requests at the destination, or why there are none to judge.
func arrived(o *fixtures.Observation) ([]echo.Record, error) {
	if err := hermetic(o); err != nil {
		return nil, err
	}
	recs := httpRecords(o)
	if len(recs) == 0 {
		return nil, fmt.Errorf("no request of probe %s reached the destination", o.ID)
	}
	return recs, nil
}

// eachArrivedWants is a check's fn: tmpl, rendered over the observation's Vars, is what judge
// wants of every request of the probe that reached the destination (everyArrived).
func eachArrivedWants(tmpl string, judge func(r echo.Record, want string) error) func(*fixtures.Observation) error {
	return func(o *fixtures.Observation) error {
		want, err := render(tmpl, o)
		if err != nil {
			return err
		}
		return everyArrived(o, func(r echo.Record) error { return judge(r, want) })
	}
}

// everyArrived passes when judge passes every request of the probe that reached the
// destination; it fails with judge's first complaint, or when none arrived (arrived).
func everyArrived(o *fixtures.Observation, judge func(echo.Record) error) error {
	recs, err := arrived(o)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := judge(r); err != nil {
			return err
		}
	}
	return nil
}
