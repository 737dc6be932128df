package reports

import (
	"html/template"
	"io"
)

// WriteDiffHTML renders the diff as one self-contained HTML page.
func WriteDiffHTML(d Diff, w io.Writer) error { return diffPage.Execute(w, d) }

var diffPage = template.Must(template.New("diff").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Egress conformance: what changed</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.bad{color:#b00}.good{color:#070}</style></head><body>
<h1>Egress conformance: what changed — {{if .Regressed}}<span class="bad">REGRESSED</span>{{else}}<span class="good">no regression</span>{{end}}</h1>
<table><tr><th></th><th>base</th><th>new</th></tr>
<tr><td>run</td><td><code>{{.Base.RunID}}</code></td><td><code>{{.New.RunID}}</code></td></tr>
<tr><td>Istio</td><td><code>{{.Base.Istio}}</code></td><td><code>{{.New.Istio}}</code></td></tr>
<tr><td>verdict</td><td>{{.Base.Verdict}}</td><td>{{.New.Verdict}}</td></tr></table>
{{define "changes"}}{{if .}}<table><tr><th>probe</th><th>base</th><th>new</th><th>new run says</th></tr>
{{range .}}<tr><td>{{.Key}}</td><td>{{.Base}}</td><td>{{.New}}</td><td>{{.Message}}</td></tr>
{{end}}</table>{{else}}<p><em>none</em></p>{{end}}{{end}}
<h2 class="bad">Newly failing ({{len .NewlyFailing}})</h2>{{template "changes" .NewlyFailing}}
<h2 class="bad">No longer judged ({{len .NoLongerJudged}})</h2>{{template "changes" .NoLongerJudged}}
<h2 class="bad">Slower ({{len .Slower}})</h2>{{if .Slower}}<table><tr><th>probe</th><th>base</th><th>new</th></tr>
{{range .Slower}}<tr><td>{{.Key}}</td><td>{{.BaseTook}}</td><td>{{.NewTook}}</td></tr>
{{end}}</table>{{else}}<p><em>none</em></p>{{end}}
<h2 class="good">Newly passing ({{len .NewlyPassing}})</h2>{{template "changes" .NewlyPassing}}
<h2 class="good">Newly judged ({{len .NewlyJudged}})</h2>{{template "changes" .NewlyJudged}}
<p>{{.Unchanged}} probes unchanged.</p>
</body></html>
`))
