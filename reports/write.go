package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// The files WriteFiles writes into the artifacts directory.
const (
	JUnitFile    = "junit.xml"
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
)

// WriteFiles renders the run into dir as junit.xml, report.md and report.html, creating dir
// if needed. Each file is rendered in memory first, so a rendering error leaves no
// half-written file; it returns the paths written.
func WriteFiles(run *Run, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the reports directory: %w", err)
	}
	outputs := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{JUnitFile, func(b *bytes.Buffer) error { return WriteJUnit(run, b) }},
		{MarkdownFile, func(b *bytes.Buffer) error { return WriteMarkdown(run, b) }},
		{HTMLFile, func(b *bytes.Buffer) error { return WriteHTML(run, b) }},
	}
	var written []string
	for _, o := range outputs {
		var b bytes.Buffer
		if err := o.render(&b); err != nil {
			return written, fmt.Errorf("rendering %s: %w", o.name, err)
		}
		path := filepath.Join(dir, o.name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return written, fmt.Errorf("writing %s: %w", path, err)
		}
		written = append(written, path)
	}
	return written, nil
}
