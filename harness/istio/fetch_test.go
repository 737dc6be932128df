package istio

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeIstioctl is a shell script standing in for istioctl: it answers `version` like the real
// one and records any other invocation (arguments, and the -f file) under $FAKE_ISTIOCTL_LOG.
func fakeIstioctl(version string) string {
	return `#!/bin/sh
case "$1" in
version)
  case "$*" in
  *"-o json"*) printf '{"clientVersion":{"version":"` + version + `","revision":"abc","golang_version":"go1.26","status":"Clean","tag":"` + version + `"}}\n' ;;
  *) echo "client version: ` + version + `" ;;
  esac
  exit 0 ;;
esac
if [ -n "$FAKE_ISTIOCTL_LOG" ]; then
  echo "$@" > "$FAKE_ISTIOCTL_LOG/args"
  prev=""
  for a in "$@"; do
    if [ "$prev" = "-f" ]; then cp "$a" "$FAKE_ISTIOCTL_LOG/operator.yaml"; fi
    prev="$a"
  done
fi
if [ -n "$FAKE_ISTIOCTL_FAIL" ]; then
  echo "✘ Istiod encountered an error: failed to wait for resource: resources not ready after 5m0s" >&2
  exit 1
fi
echo "✔ Installation complete"
`
}

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// releaseServer serves one release directory like GitHub's release downloads.
type releaseServer struct {
	mu       sync.Mutex
	files    map[string][]byte // path -> body
	requests map[string]int
}

func (s *releaseServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[r.URL.Path]++
	b, ok := s.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

func newRelease(t *testing.T, version, sumOverride string) (*releaseServer, *httptest.Server, string) {
	t.Helper()
	asset := fmt.Sprintf("istioctl-%s-linux-amd64.tar.gz", version)
	archive := tarGz(t, map[string]string{"istioctl": fakeIstioctl(version)})
	sum := sha256.Sum256(archive)
	hexSum := hex.EncodeToString(sum[:])
	if sumOverride != "" {
		hexSum = sumOverride
	}
	rs := &releaseServer{
		files: map[string][]byte{
			"/" + version + "/" + asset:             archive,
			"/" + version + "/" + asset + ".sha256": []byte(hexSum + "  " + asset + "\n"),
		},
		requests: map[string]int{},
	}
	srv := httptest.NewServer(rs) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return rs, srv, "/" + version + "/" + asset
}

func TestFetcherGoodChecksumAndCache(t *testing.T) {
	const v = "1.31.1"
	rs, srv, archivePath := newRelease(t, v, "")
	cache := t.TempDir()
	f := Fetcher{BaseURL: srv.URL, CacheDir: cache, OS: "linux", Arch: "amd64"}
	ctx := context.Background()

	p, err := f.Istioctl(ctx, v)
	if err != nil {
		t.Fatalf("Istioctl: %v", err)
	}
	if want := filepath.Join(cache, v, "istioctl"); p != want {
		t.Fatalf("path = %s, want %s", p, want)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("cached istioctl not executable: %v %v", fi, err)
	}
	got, err := ClientVersion(ctx, p)
	if err != nil || got != v {
		t.Fatalf("ClientVersion(downloaded) = %q, %v; want %s", got, err, v)
	}
	// Nothing but the binary is left in the cache.
	entries, _ := os.ReadDir(filepath.Join(cache, v))
	if len(entries) != 1 {
		t.Fatalf("cache dir holds %d entries, want only istioctl: %v", len(entries), entries)
	}

	p2, err := f.Istioctl(ctx, v)
	if err != nil || p2 != p {
		t.Fatalf("second Istioctl = %s, %v", p2, err)
	}
	if n := rs.requests[archivePath]; n != 1 {
		t.Fatalf("archive downloaded %d times, want 1 (second call must use the cache)", n)
	}
}

func TestFetcherBadChecksum(t *testing.T) {
	const v = "1.30.2"
	bogus := strings.Repeat("ab", 32)
	_, srv, archivePath := newRelease(t, v, bogus)
	cache := t.TempDir()
	f := Fetcher{BaseURL: srv.URL, CacheDir: cache, OS: "linux", Arch: "amd64"}
	_, err := f.Istioctl(context.Background(), v)
	if err == nil {
		t.Fatal("no error for a checksum mismatch")
	}
	for _, want := range []string{"checksum mismatch", bogus, srv.URL + archivePath, "deleted"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if !regexpHex64Twice(err.Error()) {
		t.Errorf("error does not show both the expected and the actual sum: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, v))
	if len(entries) != 0 {
		t.Fatalf("download not deleted: %v", entries)
	}
}

// regexpHex64Twice reports whether s holds two different 64-hex-digit strings.
func regexpHex64Twice(s string) bool {
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !strings.ContainsRune("0123456789abcdef", r) }) {
		if len(w) == 64 {
			seen[w] = true
		}
	}
	return len(seen) >= 2
}

func TestFetcherNotFound(t *testing.T) {
	_, srv, _ := newRelease(t, "1.31.1", "")
	f := Fetcher{BaseURL: srv.URL, CacheDir: t.TempDir(), OS: "linux", Arch: "amd64"}
	_, err := f.Istioctl(context.Background(), "1.99.0")
	if err == nil {
		t.Fatal("no error for a missing release")
	}
	url := srv.URL + "/1.99.0/istioctl-1.99.0-linux-amd64.tar.gz"
	for _, want := range []string{url, "404", "EGRESS_ISTIOCTL=<path>"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestFetcherChecksumFileForAnotherAsset(t *testing.T) {
	const v = "1.29.4"
	rs, srv, archivePath := newRelease(t, v, "")
	rs.files[archivePath+".sha256"] = []byte(strings.Repeat("0", 64) + "  istioctl-1.29.4-osx.tar.gz\n")
	f := Fetcher{BaseURL: srv.URL, CacheDir: t.TempDir(), OS: "linux", Arch: "amd64"}
	if _, err := f.Istioctl(context.Background(), v); err == nil || !strings.Contains(err.Error(), "is for istioctl-1.29.4-osx.tar.gz") {
		t.Fatalf("checksum for another file: %v", err)
	}
	if rs.requests[archivePath] != 0 {
		t.Fatal("the archive was downloaded although its checksum file was unusable")
	}
}

func TestFetcherBadVersion(t *testing.T) {
	f := Fetcher{BaseURL: "http://127.0.0.1:1", CacheDir: t.TempDir()}
	for _, v := range []string{"", "../1.2", "1.2/x"} {
		if _, err := f.Istioctl(context.Background(), v); err == nil || !strings.Contains(err.Error(), "EGRESS_ISTIO_VERSION") {
			t.Errorf("version %q: %v", v, err)
		}
	}
	// Network error: names the URL and the way out.
	_, err := f.Istioctl(context.Background(), "1.31.1")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), IstioctlEnv) {
		t.Errorf("unreachable base URL: %v", err)
	}
}

func TestAssetName(t *testing.T) {
	for _, c := range []struct{ os, arch, want string }{
		{"linux", "amd64", "istioctl-1.31.1-linux-amd64.tar.gz"},
		{"linux", "arm64", "istioctl-1.31.1-linux-arm64.tar.gz"},
		{"linux", "arm", "istioctl-1.31.1-linux-armv7.tar.gz"},
		{"darwin", "amd64", "istioctl-1.31.1-osx.tar.gz"},
		{"darwin", "arm64", "istioctl-1.31.1-osx-arm64.tar.gz"},
	} {
		got, err := assetName("1.31.1", c.os, c.arch)
		if err != nil || got != c.want {
			t.Errorf("assetName(%s/%s) = %q, %v; want %q", c.os, c.arch, got, err, c.want)
		}
	}
	if _, err := assetName("1.31.1", "windows", "amd64"); err == nil || !strings.Contains(err.Error(), IstioctlEnv) {
		t.Errorf("windows: %v", err)
	}
}

func TestParseChecksum(t *testing.T) {
	h := strings.Repeat("A1", 32)
	for _, text := range []string{h, h + "  a.tar.gz\n", h + " *a.tar.gz", h + "  ./dir/a.tar.gz"} {
		got, err := parseChecksum(text, "a.tar.gz", "u")
		if err != nil || got != strings.ToLower(h) {
			t.Errorf("parseChecksum(%q) = %q, %v", text, got, err)
		}
	}
	for _, text := range []string{"", "nothex  a.tar.gz", "<html>404</html>"} {
		if _, err := parseChecksum(text, "a.tar.gz", "u"); err == nil {
			t.Errorf("parseChecksum(%q) accepted", text)
		}
	}
}

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "istioctl")
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientVersion(t *testing.T) {
	ctx := context.Background()
	if v, err := ClientVersion(ctx, writeScript(t, fakeIstioctl("1.30.2"))); err != nil || v != "1.30.2" {
		t.Errorf("JSON form: %q, %v", v, err)
	}
	dev := writeScript(t, "#!/bin/sh\necho 'warning: something' >&2\necho '{\"clientVersion\":{\"version\":\"unknown\",\"revision\":\"unknown\"}}'\n")
	if v, err := ClientVersion(ctx, dev); err != nil || v != "unknown" {
		t.Errorf("dev build: %q, %v", v, err)
	}
	short := writeScript(t, "#!/bin/sh\ncase \"$*\" in *json*) echo 'unknown flag: -o' >&2; exit 1;; esac\necho '1.29.4'\n")
	if v, err := ClientVersion(ctx, short); err != nil || v != "1.29.4" {
		t.Errorf("--short fallback: %q, %v", v, err)
	}
	broken := writeScript(t, "#!/bin/sh\necho 'exec format error-ish' >&2\nexit 3\n")
	if _, err := ClientVersion(ctx, broken); err == nil || !strings.Contains(err.Error(), "exec format error-ish") || !strings.Contains(err.Error(), IstioctlEnv) {
		t.Errorf("broken binary: %v", err)
	}
	if _, err := ClientVersion(ctx, filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), IstioctlEnv) {
		t.Errorf("missing binary: %v", err)
	}
	plain := filepath.Join(t.TempDir(), "istioctl")
	os.WriteFile(plain, []byte("x"), 0o644)
	if _, err := ClientVersion(ctx, plain); err == nil || !strings.Contains(err.Error(), "not an executable") {
		t.Errorf("non-executable: %v", err)
	}
}
