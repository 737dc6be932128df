package version

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
	}{
		{"1.31.1", Version{1, 31, 1, ""}},
		{"v1.22", Version{1, 22, 0, ""}},
		{"1.32.0-beta.0", Version{1, 32, 0, "beta.0"}},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "1", "latest", "1.x.0", "1.31.1 ", "one.two.three"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a malformed version", bad)
		}
	}
}

func TestCompareAndAtLeast(t *testing.T) {
	order := []string{"1.21.9", "1.22.0-alpha.1", "1.22.0-beta.0", "1.22.0", "1.22.1", "1.24.0", "2.0.0"}
	for i := range order {
		for j := range order {
			got := MustParse(order[i]).Compare(MustParse(order[j]))
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	if MustParse("1.21.6").AtLeast("1.22") {
		t.Error("1.21.6 must not count as at least 1.22")
	}
	if !MustParse("1.22.0-beta.1").AtLeast("1.22") || !MustParse("1.31.1").AtLeast("1.24") {
		t.Error("AtLeast rejected a newer version")
	}
}
