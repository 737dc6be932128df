// Package istio installs Istio at a given release with istioctl and reads Envoy's admin API
// through pilot-agent.
//
// istioctl comes from the official release archive (checksum-verified, cached per version) or
// from a path the user gives (EGRESS_ISTIOCTL), validated with ClientVersion.
package istio

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// DefaultBaseURL is where Istio publishes its release archives:
// <base>/<version>/istioctl-<version>-<os>[-<arch>].tar.gz with a sibling .sha256 file.
const DefaultBaseURL = "https://github.com/istio/istio/releases/download"

// IstioctlEnv is the setting that points the suite at a local istioctl instead.
const IstioctlEnv = "EGRESS_ISTIOCTL"

// maxArchive caps a download (istioctl archives are ~30 MB).
const maxArchive = 512 << 20

// DownloadTimeout bounds Istioctl when ctx has no deadline.
const DownloadTimeout = 10 * time.Minute

// Fetcher downloads istioctl release archives. Zero fields take defaults: BaseURL
// DefaultBaseURL, CacheDir the user cache directory + egress-conformance/istioctl,
// HTTP http.DefaultClient, OS/Arch runtime.GOOS/GOARCH. A download is bounded by ctx, or by
// DownloadTimeout when ctx has no deadline.
type Fetcher struct {
	BaseURL  string
	CacheDir string
	HTTP     *http.Client
	OS, Arch string
}

var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_-]*$`)

// assetName is the release archive name for os/arch, following Istio's release layout:
// linux-<arch> for every Linux architecture; osx (amd64) and osx-arm64 for macOS.
func assetName(version, goos, goarch string) (string, error) {
	arch := goarch
	if goarch == "arm" {
		arch = "armv7"
	}
	switch goos {
	case "linux":
		switch arch {
		case "amd64", "arm64", "armv7":
			return fmt.Sprintf("istioctl-%s-linux-%s.tar.gz", version, arch), nil
		}
	case "darwin":
		switch arch {
		case "amd64":
			return fmt.Sprintf("istioctl-%s-osx.tar.gz", version), nil
		case "arm64":
			return fmt.Sprintf("istioctl-%s-osx-arm64.tar.gz", version), nil
		}
	}
	return "", fmt.Errorf("Istio publishes no istioctl tar.gz for %s/%s: build or download one yourself and set %s=<path>", goos, goarch, IstioctlEnv)
}

func (f Fetcher) defaults() (Fetcher, error) {
	if f.BaseURL == "" {
		f.BaseURL = DefaultBaseURL
	}
	f.BaseURL = strings.TrimRight(f.BaseURL, "/")
	if f.CacheDir == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return f, fmt.Errorf("no cache directory for istioctl downloads (%v): set EGRESS_ISTIO_CACHE", err)
		}
		f.CacheDir = filepath.Join(d, "egress-conformance", "istioctl")
	}
	if f.HTTP == nil {
		f.HTTP = http.DefaultClient
	}
	if f.OS == "" {
		f.OS = runtime.GOOS
	}
	if f.Arch == "" {
		f.Arch = runtime.GOARCH
	}
	return f, nil
}

// Istioctl returns the path of istioctl <version>, downloading and caching it under
// CacheDir/<version>/istioctl on first use. The archive's SHA-256 is checked against the
// release's .sha256 file before anything is extracted; a mismatch deletes the download.
func (f Fetcher) Istioctl(ctx context.Context, version string) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DownloadTimeout)
		defer cancel()
	}
	if !versionRE.MatchString(version) {
		return "", fmt.Errorf("%q is not an Istio release version (such as 1.31.1): set EGRESS_ISTIO_VERSION", version)
	}
	f, err := f.defaults()
	if err != nil {
		return "", err
	}
	asset, err := assetName(version, f.OS, f.Arch)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(f.CacheDir, version)
	final := filepath.Join(dir, "istioctl")
	if fi, err := os.Stat(final); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return final, nil // only ever written after verification, by rename
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the istioctl cache directory %s: %w: set EGRESS_ISTIO_CACHE to a writable directory", dir, err)
	}

	url := f.BaseURL + "/" + version + "/" + asset
	sumURL := url + ".sha256"
	sumText, err := f.get(ctx, sumURL, 64<<10, nil)
	if err != nil {
		return "", err
	}
	want, err := parseChecksum(string(sumText), asset, sumURL)
	if err != nil {
		return "", err
	}

	archive, err := os.CreateTemp(dir, asset+".*.part")
	if err != nil {
		return "", fmt.Errorf("creating a download file in %s: %w", dir, err)
	}
	archivePath := archive.Name()
	defer os.Remove(archivePath)
	h := sha256.New()
	_, err = f.get(ctx, url, maxArchive, io.MultiWriter(archive, h))
	if cerr := archive.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing %s: %w", archivePath, cerr)
	}
	if err != nil {
		return "", err
	}
	got := hex.EncodeToString(h.Sum(nil))
	if got != want {
		os.Remove(archivePath)
		return "", fmt.Errorf("checksum mismatch for %s: expected sha256 %s (from %s), got %s; the download was deleted: retry, and if it persists do not use this archive (give a trusted istioctl with %s=<path>)",
			url, want, sumURL, got, IstioctlEnv)
	}

	tmpBin, err := extractIstioctl(archivePath, dir, url)
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmpBin, final); err != nil {
		os.Remove(tmpBin)
		return "", fmt.Errorf("installing istioctl to %s: %w", final, err)
	}
	return final, nil
}

// get fetches url; with w it streams the body there (capped at limit), otherwise returns it.
func (f Fetcher) get(ctx context.Context, url string, limit int64, w io.Writer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad download URL %s: %v: check EGRESS_ISTIO_VERSION and the base URL", url, err)
	}
	resp, err := f.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %v: without network access give a local istioctl with %s=<path>", url, err, IstioctlEnv)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("downloading %s: HTTP 404 Not Found: no such Istio release or platform (see https://github.com/istio/istio/releases), or give a local istioctl with %s=<path>", url, IstioctlEnv)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading %s: HTTP %s: retry later, or give a local istioctl with %s=<path>", url, resp.Status, IstioctlEnv)
	}
	body := io.LimitReader(resp.Body, limit+1)
	if w == nil {
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, fmt.Errorf("downloading %s: %v", url, err)
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("downloading %s: larger than %d bytes, which is not a checksum file", url, limit)
		}
		return b, nil
	}
	n, err := io.Copy(w, body)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %v (after %d bytes): retry", url, err, n)
	}
	if n > limit {
		return nil, fmt.Errorf("downloading %s: larger than %d bytes: not an istioctl archive", url, limit)
	}
	return nil, nil
}

var hexRE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// parseChecksum reads "<hex>  <filename>" (sha256sum format; the name may be absent or
// marked binary with '*'). A file naming another archive is refused.
func parseChecksum(text, asset, url string) (string, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 || !hexRE.MatchString(fields[0]) {
		return "", fmt.Errorf("the checksum file %s does not start with a SHA-256 hex digest (got %q)", url, excerpt(text, 100))
	}
	if len(fields) > 1 {
		name := path.Base(strings.TrimPrefix(fields[1], "*"))
		if name != asset {
			return "", fmt.Errorf("the checksum file %s is for %s, not %s", url, name, asset)
		}
	}
	return strings.ToLower(fields[0]), nil
}

func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// extractIstioctl copies the archive's istioctl entry to an executable temporary file in dir.
func extractIstioctl(archivePath, dir, url string) (string, error) {
	f, err := os.Open(archivePath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("%s is not a gzip archive: %v", url, err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%s has no istioctl file in it", url)
		}
		if err != nil {
			return "", fmt.Errorf("reading the tar archive %s: %v", url, err)
		}
		if hdr.Typeflag != tar.TypeReg || path.Base(hdr.Name) != "istioctl" {
			continue
		}
		out, err := os.CreateTemp(dir, "istioctl.*.part")
		if err != nil {
			return "", fmt.Errorf("extracting istioctl into %s: %w", dir, err)
		}
		_, err = io.Copy(out, io.LimitReader(tr, maxArchive*4))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(out.Name(), 0o755)
		}
		if err != nil {
			os.Remove(out.Name())
			return "", fmt.Errorf("extracting istioctl from %s: %w", url, err)
		}
		return out.Name(), nil
	}
}

// ClientVersion runs `<istioctl> version --remote=false -o json` (falling back to --short for
// builds without JSON output) and returns the client version, such as "1.31.1". Development
// builds report "unknown". Use it to validate an istioctl the user supplied.
func ClientVersion(ctx context.Context, istioctlPath string) (string, error) {
	fi, err := os.Stat(istioctlPath)
	if err != nil {
		return "", fmt.Errorf("istioctl %q: %v: set %s to the path of an istioctl binary", istioctlPath, err, IstioctlEnv)
	}
	if !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("istioctl %q is not an executable file: chmod +x it or set %s to another path", istioctlPath, IstioctlEnv)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Minute)
		defer cancel()
	}
	stdout, _, jerr := run(ctx, istioctlPath, "version", "--remote=false", "-o", "json")
	if jerr == nil {
		var v struct {
			ClientVersion *struct {
				Version string `json:"version"`
			} `json:"clientVersion"`
		}
		dec := json.NewDecoder(strings.NewReader(jsonPart(stdout)))
		if err := dec.Decode(&v); err == nil && v.ClientVersion != nil {
			return orUnknown(v.ClientVersion.Version), nil
		}
	}
	stdout, stderr, err := run(ctx, istioctlPath, "version", "--remote=false", "--short")
	if err != nil {
		if jerr != nil {
			err = jerr
		}
		return "", fmt.Errorf("running %s version: %v\n%s\nis it an istioctl binary for this platform? set %s to a working one", istioctlPath, err, excerpt(stdout+stderr, 2000), IstioctlEnv)
	}
	for _, line := range strings.Split(stdout, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "client version:"); ok {
			return orUnknown(strings.TrimSpace(v)), nil
		}
	}
	if words := strings.Fields(stdout); len(words) == 1 {
		return orUnknown(words[0]), nil
	}
	return "", fmt.Errorf("%s version printed no client version:\n%s\nset %s to an istioctl binary", istioctlPath, excerpt(stdout+stderr, 2000), IstioctlEnv)
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

// jsonPart skips anything printed before the JSON object.
func jsonPart(s string) string {
	if i := strings.IndexByte(s, '{'); i > 0 {
		return s[i:]
	}
	return s
}

// run runs istioctl (name is always an istioctl binary) and returns its stdout and stderr.
func run(ctx context.Context, name string, args ...string) (string, string, error) {
	var stdout, stderr strings.Builder
	// istioctl logs to stdout by default (Istio's log package), so a client-go line such as a
	// port-forward's "error copying from local connection to remote stream: EOF" could land
	// in the output the suite parses (a live proxy-status did so once); its logs go to stderr.
	cmd := exec.CommandContext(ctx, name, append(args[:len(args):len(args)], "--log_target", "stderr")...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}
