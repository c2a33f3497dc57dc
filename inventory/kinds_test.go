package inventory

import (
	"slices"
	"testing"

	"onboard/store"
)

func TestKindsFollowTheGrants(t *testing.T) {
	tests := []struct {
		name string
		acct store.Account
		want []string
	}{
		{"host", store.Account{Features: []string{"host"}, Grants: []string{"QcloudCVMReadOnlyAccess"}}, []string{"cvm.instance"}},
		{"host with lighthouse", store.Account{Features: []string{"host"}, Grants: []string{"QcloudCVMReadOnlyAccess", "QcloudLighthouseReadOnlyAccess"}},
			[]string{"cvm.instance", "lighthouse.instance"}},
		{"a record without grants has its features' procedure grants", store.Account{Features: []string{"host", "soc"}}, []string{"cvm.instance"}},
		{"cspm preset", store.Account{Features: []string{"cspm"}, Grants: []string{"CloudResourceReadOnlyAccess", "QcloudCamReadOnlyAccess"}},
			[]string{"vpc.vpc", "vpc.subnet", "vpc.security_group", "cbs.disk", "clb.load_balancer", "cdb.instance", "cam.user"}},
		{"cspm custom", store.Account{Features: []string{"cspm"}, Grants: []string{"cspmPolicy"}},
			[]string{"vpc.vpc", "vpc.subnet", "vpc.security_group", "cbs.disk", "clb.load_balancer", "cdb.instance", "cam.user"}},
		{"host and cspm preset", store.Account{Features: []string{"host", "cspm"}, Grants: []string{"QcloudCVMReadOnlyAccess", "CloudResourceReadOnlyAccess", "QcloudCamReadOnlyAccess"}},
			KindNames()},
	}
	for _, tt := range tests {
		if got := AccountKinds(tt.acct); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
