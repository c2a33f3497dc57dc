package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"onboard/emulator/tcloud"
)

func TestRegionsAndCVMPaging(t *testing.T) {
	c, emu, endpoint := newEmulated(t)
	ctx := context.Background()
	emu.SeedCVM("ap-shanghai", 101)
	regions, err := c.Regions(ctx, "cvm")
	if err != nil || len(regions) != 2 {
		t.Fatalf("regions: %+v %v", regions, err)
	}
	if _, err := c.Regions(ctx, "nosuchproduct"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown product: %v", err)
	}
	// Paging edges: 0 items (ap-guangzhou is empty), a full page, the 101st item alone, past the end.
	tests := []struct {
		region        string
		offset, limit int
		items, total  int
	}{
		{"ap-guangzhou", 0, 100, 0, 0},
		{"ap-shanghai", 0, 100, 100, 101},
		{"ap-shanghai", 100, 100, 1, 101},
		{"ap-shanghai", 101, 100, 0, 101},
		{"ap-shanghai", 0, 1, 1, 101},
	}
	for _, tt := range tests {
		p, err := c.ListCVMInstances(ctx, tt.region, tt.offset, tt.limit)
		if err != nil || len(p.Items) != tt.items || p.Total != tt.total {
			t.Errorf("%s offset %d limit %d: %d items of %d, %v; want %d of %d", tt.region, tt.offset, tt.limit, len(p.Items), p.Total, err, tt.items, tt.total)
		}
	}
	p, _ := c.ListCVMInstances(ctx, "ap-shanghai", 0, 1)
	if p.Items[0].ID == "" || p.Items[0].Zone != "ap-shanghai-3" || len(p.Items[0].Raw) == 0 {
		t.Errorf("item: %+v", p.Items[0])
	}
	// Raw is the item exactly as answered, not the SDK's struct marshalled back.
	id, key := emu.RootKey()
	body := []byte(`{"Offset":0,"Limit":1}`)
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	r.Header.Set("X-TC-Action", "DescribeInstances")
	r.Header.Set("X-TC-Version", cvmVersion)
	r.Header.Set("X-TC-Region", "ap-shanghai")
	tcloud.Sign(r, body, id, key, "cvm", time.Now())
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct {
		Response struct{ InstanceSet []json.RawMessage }
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || len(answer.Response.InstanceSet) != 1 {
		t.Fatalf("emulator answer: %+v %v", answer, err)
	}
	if p.Items[0].Raw != string(answer.Response.InstanceSet[0]) {
		t.Errorf("Raw is not the item as answered:\n%s\n%s", p.Items[0].Raw, answer.Response.InstanceSet[0])
	}
	if _, err := c.ListCVMInstances(ctx, "ap-shanghai", 0, 101); !errors.Is(err, ErrInvalid) {
		t.Errorf("limit over 100: %v, want ErrInvalid", err)
	}
	if _, err := c.ListCVMInstances(ctx, "mars-north-1", 0, 10); err == nil {
		t.Errorf("unknown region accepted")
	}
}

func TestLighthousePagesThroughTheGenericClient(t *testing.T) {
	c, emu, _ := newEmulated(t)
	ctx := context.Background()
	emu.SeedLighthouse("ap-guangzhou", 101)
	for _, tt := range []struct{ offset, limit, items int }{{0, 100, 100}, {100, 100, 1}, {101, 100, 0}} {
		p, err := c.ListLighthouseInstances(ctx, "ap-guangzhou", tt.offset, tt.limit)
		if err != nil || len(p.Items) != tt.items || p.Total != 101 {
			t.Errorf("offset %d: %d items of %d, %v", tt.offset, len(p.Items), p.Total, err)
		}
	}
	p, _ := c.ListLighthouseInstances(ctx, "ap-guangzhou", 0, 1)
	if it := p.Items[0]; it.ID == "" || it.Zone != "ap-guangzhou-3" || len(it.PublicIPs) != 1 || len(it.Raw) == 0 {
		t.Errorf("item: %+v", it)
	}
	if _, err := c.ListLighthouseInstances(ctx, "ap-guangzhou", 0, 101); !errors.Is(err, ErrInvalid) {
		t.Errorf("limit over 100: %v", err)
	}
}

func TestVPCListingsSendStringPaging(t *testing.T) {
	c, emu, _ := newEmulated(t)
	ctx := context.Background()
	emu.SeedVPC("ap-guangzhou", 101)
	lists := map[string]func(context.Context, string, int, int) (Page[Resource], error){
		"vpcs": c.ListVPCs, "subnets": c.ListSubnets, "security groups": c.ListSecurityGroups,
	}
	for name, list := range lists {
		for _, tt := range []struct{ offset, limit, items int }{{0, 100, 100}, {100, 100, 1}} {
			p, err := list(ctx, "ap-guangzhou", tt.offset, tt.limit)
			if err != nil || len(p.Items) != tt.items || p.Total != 101 || p.Items[0].ID == "" {
				t.Errorf("%s offset %d: %d of %d, %v", name, tt.offset, len(p.Items), p.Total, err)
			}
		}
		if _, err := list(ctx, "ap-guangzhou", 0, 101); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s limit over 100: %v", name, err)
		}
	}
}

func TestStorageBalancerAndDatabaseListingsPage(t *testing.T) {
	c, emu, _ := newEmulated(t)
	ctx := context.Background()
	emu.SeedDisks("ap-guangzhou", 101)
	emu.SeedLoadBalancers("ap-guangzhou", 101)
	emu.SeedDBInstances("ap-guangzhou", 2001)
	lists := []struct {
		name string
		list func(context.Context, string, int, int) (Page[Resource], error)
		max  int
	}{{"disks", c.ListDisks, CBSPageMax}, {"load balancers", c.ListLoadBalancers, CLBPageMax}, {"databases", c.ListDBInstances, CDBPageMax}}
	for _, l := range lists {
		for _, tt := range []struct{ offset, items int }{{0, l.max}, {l.max, 1}} {
			p, err := l.list(ctx, "ap-guangzhou", tt.offset, l.max)
			if err != nil || len(p.Items) != tt.items || p.Total != l.max+1 || p.Items[0].ID == "" || len(p.Items[0].Raw) == 0 {
				t.Errorf("%s offset %d: %d of %d, %v", l.name, tt.offset, len(p.Items), p.Total, err)
			}
		}
		if _, err := l.list(ctx, "ap-guangzhou", 0, l.max+1); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s limit over %d: %v", l.name, l.max, err)
		}
	}
}

func TestMayHoldError(t *testing.T) {
	for body, want := range map[string]bool{
		`{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"x"},"RequestId":"r"}}`:  true,
		`{"Response":{"Error" : {"Code":"InternalError"}}}`:                                     true,
		`{"Response":{"TotalCount":1,"InstanceSet":[{"InstanceName":"\"Error\": not a key"}]}}`: false,
		`{"Response":{"TotalCount":0,"InstanceSet":[],"RequestId":"r"}}`:                        false,
		`{"Response":{"InstanceSet":[{"Tags":[{"Key":"Error","Value":"x"}]}]}}`:                 false,
	} {
		if got := mayHoldError([]byte(body)); got != want {
			t.Errorf("mayHoldError(%s) = %v, want %v", body, got, want)
		}
	}
}

// A listing's answer is decoded by the listing, not the SDK; an error answer still reaches the SDK and
// becomes its sentinel, and is retried like any other call's.
func TestListingsDecodeTheirAnswerAndSeeErrors(t *testing.T) {
	for _, fault := range []string{"RequestLimitExceeded", "InternalError", tcloud.FaultHTTP500, tcloud.FaultDrop} {
		t.Run(fault, func(t *testing.T) {
			c, emu, _ := newEmulated(t)
			emu.SeedCVM("ap-guangzhou", 3)
			emu.SeedDisks("ap-guangzhou", 2)
			ctx := context.Background()
			emu.FailNext("DescribeInstances", fault, 2)
			page, err := c.ListCVMInstances(ctx, "ap-guangzhou", 0, 100)
			if err != nil || page.Total != 3 || len(page.Items) != 3 || page.Items[0].ID == "" || !json.Valid([]byte(page.Items[0].Raw)) {
				t.Fatalf("after two faults: %+v, %v", page, err)
			}
			var raw struct{ InstanceId string }
			if json.Unmarshal([]byte(page.Items[0].Raw), &raw); raw.InstanceId != page.Items[0].ID {
				t.Errorf("Raw %s is not the item of %s", page.Items[0].Raw, page.Items[0].ID)
			}
			emu.FailNext("DescribeDisks", fault, 4) // as many as newEmulated's attempts
			if _, err := c.ListDisks(ctx, "ap-guangzhou", 0, 100); !(errors.Is(err, ErrThrottled) || errors.Is(err, ErrUnavailable)) {
				t.Fatalf("after the last attempt: %v, want ErrThrottled or ErrUnavailable", err)
			}
			disks, err := c.ListDisks(ctx, "ap-guangzhou", 0, 100)
			if err != nil || disks.Total != 2 || len(disks.Items) != 2 || disks.Items[1].Zone == "" {
				t.Fatalf("disks: %+v, %v", disks, err)
			}
		})
	}
}
