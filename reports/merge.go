package reports

import (
	"fmt"
	"sort"
	"strings"
)

// Matrix is several runs side by side: one row per scenario × probe, one column per run and
// upgrade phase (the Istio versions a gate compares).
type Matrix struct {
	Columns []MatrixColumn
	Rows    []MatrixRow
}

// MatrixColumn is one run, or one phase of an upgrade run.
type MatrixColumn struct {
	Run   RunSummary
	Phase int // 0 outside upgrade runs
}

func (c MatrixColumn) String() string {
	s := c.Run.RunID + " · Istio " + c.Run.Istio
	if c.Phase > 0 {
		s += fmt.Sprintf(" · phase %d", c.Phase)
	}
	return s
}

// MatrixRow is one probe's state in each column (StateNotRun where a run lacks it).
type MatrixRow struct {
	Scenario, Probe string
	States          []State
}

// Merge puts runs side by side, in the order given (an upgrade run's phases in order).
func Merge(runs []*Run) (Matrix, error) {
	type col struct{ run, phase int }
	heads := map[col]MatrixColumn{}
	cells := map[[2]string]map[col]State{}
	for i, r := range runs {
		if len(r.Suites) == 0 {
			return Matrix{}, fmt.Errorf("report %d holds no suite: merge the reports of runs that started", i+1)
		}
		su := r.Suites[0]
		for k, sp := range probes(su) {
			c := col{i, k.Phase}
			heads[c] = MatrixColumn{Run: summary(su), Phase: k.Phase}
			row := [2]string{k.Scenario, k.Probe}
			if cells[row] == nil {
				cells[row] = map[col]State{}
			}
			cells[row][c] = sp.State
		}
	}
	cols := make([]col, 0, len(heads))
	for c := range heads {
		cols = append(cols, c)
	}
	sort.Slice(cols, func(a, b int) bool {
		return cols[a].run < cols[b].run || cols[a].run == cols[b].run && cols[a].phase < cols[b].phase
	})
	var m Matrix
	for _, c := range cols {
		m.Columns = append(m.Columns, heads[c])
	}
	for row, byCol := range cells {
		r := MatrixRow{Scenario: row[0], Probe: row[1]}
		for _, c := range cols {
			s, ok := byCol[c]
			if !ok {
				s = StateNotRun
			}
			r.States = append(r.States, s)
		}
		m.Rows = append(m.Rows, r)
	}
	sort.Slice(m.Rows, func(i, j int) bool {
		if m.Rows[i].Scenario != m.Rows[j].Scenario {
			return m.Rows[i].Scenario < m.Rows[j].Scenario
		}
		return m.Rows[i].Probe < m.Rows[j].Probe
	})
	return m, nil
}

// Markdown renders the matrix; a row whose states differ between columns is marked ≠.
func (m Matrix) Markdown() string {
	var b strings.Builder
	b.WriteString("# Egress conformance across runs\n\n| scenario | probe | |")
	for _, c := range m.Columns {
		fmt.Fprintf(&b, " %s |", mdCell(c.String()))
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(m.Columns)) + "\n")
	for _, r := range m.Rows {
		mark := ""
		for _, s := range r.States[1:] {
			if s != r.States[0] {
				mark = "≠"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |", mdCell(r.Scenario), mdCell(r.Probe), mark)
		for _, s := range r.States {
			fmt.Fprintf(&b, " %s %s |", stateIcon[s], s)
		}
		b.WriteString("\n")
	}
	return b.String()
}
