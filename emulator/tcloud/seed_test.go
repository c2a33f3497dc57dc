package tcloud

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
		"cvm=500001":       "at most 500000 per kind",
		"cam_user=9999999": "at most 500000 per kind",
	} {
		if _, err := ParseSeedGen(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", spec, err, want)
		}
	}
}

func TestAppliedSeedIsServedWithIDsUniqueAcrossRegions(t *testing.T) {
	s := New(Options{})
	sd, _ := ParseSeedGen("regions=25,cvm=50,subnet=25,cam_user=3")
	if err := s.Apply(context.Background(), sd); err != nil {
		t.Fatal(err)
	}
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
		`{"regions": {"mars-1": {"cvm": 1}}}`:                                                                      "unknown region",
		`{"regions": {"ap-guangzhou": {"vms": 1}}}`:                                                                "kinds are",
		`{"regions": {}, "owner": 1}`:                                                                              "unknown field",
		`{"regions": {"ap-guangzhou": {"cvm": -2}}}`:                                                               "counts ≥ 0",
		`{"regions": {"ap-guangzhou": {"cvm": 300000}, "ap-shanghai": {"cvm": 300000}}}`:                           "cvm: 600000 over all regions: at most 500000",
		`{"regions": {"ap-guangzhou": {"cvm": 9223372036854775807}, "ap-shanghai": {"cvm": 9223372036854775807}}}`: "at most 500000",
		`{"regions": {}, "cam_users": 500001}`:                                                                     "cam_user: 500001",
		`{"regions": {"ap-guangzhou": {"cvm": 1, "cvm": 2}}}`:                                                      "given more than once",
		`{"regions": {}} {"regions": {}}`:                                                                          "data after the JSON value",
	} {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(body), 0o600)
		if _, err := ReadSeedFile(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// A seed file that is a FIFO (or anything but a regular file) is refused at once instead of blocking.
func TestSeedFileMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "seed.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadSeedFile(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO seed file blocks")
	}
	if _, err := ReadSeedFile(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("folder: %v", err)
	}
}

// A large seed stops when its context ends (SIGTERM during start-up), with part of it applied.
func TestApplyStopsWhenCancelled(t *testing.T) {
	s := New(Options{})
	sd, err := ParseSeedGen("regions=2,cvm=200000,cam_user=200000")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Apply(ctx, sd); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled apply: %v", err)
	}
	n := len(s.users)
	for _, l := range s.cvm {
		n += len(l)
	}
	if n >= sd.Total() {
		t.Fatalf("the whole seed (%d) was applied after cancellation", n)
	}
}
