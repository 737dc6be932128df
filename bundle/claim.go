package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Claim takes one of a run's max bundles under dir, for whichever process of the run asks:
// Ginkgo's parallel processes share the run's bundles folder and its cap. A claim is the file
// .claim-<n> (n = 1…max), created exclusively; when all exist the cap is reached and Claim
// says false. max 0 allows none.
func Claim(dir string, max int) (bool, error) {
	if max <= 0 {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("bundle: the bundles folder %s: %w", dir, err)
	}
	for n := 1; n <= max; n++ {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf(".claim-%d", n)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("bundle: claiming bundle %d of %d in %s: %w", n, max, dir, err)
		}
		return true, f.Close()
	}
	return false, nil
}
