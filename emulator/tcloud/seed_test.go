package tcloud

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSeedGenSpreadsCountsOverRegions(t *testing.T) {
	sd, err := ParseSeedGen("regions=25,cvm=50000,lighthouse=10000,vpc=2000,subnet=8000,security_group=10000,disk=15000,clb=3000,cdb=2000,cam_user=100")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Regions) != 25 || sd.Total() != 100100 || sd.CAMUsers != 100 {
		t.Fatalf("regions %d, total %d, users %d", len(sd.Regions), sd.Total(), sd.CAMUsers)
	}
	if got := sd.Regions["ap-guangzhou"]["cvm"]; got != 2000 {
		t.Errorf("cvm in ap-guangzhou = %d, want 2000", got)
	}
	odd, _ := ParseSeedGen("regions=3,disk=10")
	if a, b, c := odd.Regions["ap-guangzhou"]["disk"], odd.Regions["ap-shanghai"]["disk"], odd.Regions["ap-beijing"]["disk"]; a != 4 || b != 3 || c != 3 {
		t.Errorf("10 disks over 3 regions = %d, %d, %d; want 4, 3, 3", a, b, c)
	}
}

func TestSeedGenRefusesWhatItDoesNotKnow(t *testing.T) {
	for spec, want := range map[string]string{
		"regions=26":       "between 1 and 25",
		"cvm=-1":           "not KIND=COUNT",
		"vms=3":            "unknown kind",
		"cvm":              "not KIND=COUNT",
		"regions=0,cvm=10": "between 1",
	} {
		if _, err := ParseSeedGen(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", spec, err, want)
		}
	}
}

func TestAppliedSeedIsServedWithIDsUniqueAcrossRegions(t *testing.T) {
	s := New(Options{})
	sd, _ := ParseSeedGen("regions=25,cvm=50,subnet=25,cam_user=3")
	s.Apply(sd)
	ids := map[string]bool{}
	for region, list := range s.cvm {
		for _, in := range list {
			if ids[in.InstanceId] {
				t.Fatalf("instance ID %s in %s is used in another region too", in.InstanceId, region)
			}
			ids[in.InstanceId] = true
		}
	}
	if len(ids) != 50 || len(s.regions) != 25 || len(s.users) != 3 {
		t.Errorf("%d instances, %d regions, %d users", len(ids), len(s.regions), len(s.users))
	}
}

func TestSeedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"regions": {"ap-guangzhou": {"cvm": 2, "clb": 1}}, "cam_users": 1}`), 0o600)
	sd, err := ReadSeedFile(good)
	if err != nil || sd.Total() != 4 {
		t.Fatalf("%+v, %v", sd, err)
	}
	for body, want := range map[string]string{
		`{"regions": {"mars-1": {"cvm": 1}}}`:        "unknown region",
		`{"regions": {"ap-guangzhou": {"vms": 1}}}`:  "kinds are",
		`{"regions": {}, "owner": 1}`:                "unknown field",
		`{"regions": {"ap-guangzhou": {"cvm": -2}}}`: "counts ≥ 0",
	} {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(body), 0o600)
		if _, err := ReadSeedFile(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
