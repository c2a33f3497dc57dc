package securitycenter

import "testing"

// Refusals that a key or grant not yet applied explains, as the emulator words them and as a message
// quoting Tencent Cloud's codes would, count; every other failure does not.
func TestAccessRefusedKnowsTheRefusalsOfAKeyOrGrantNotYetApplied(t *testing.T) {
	tests := []struct {
		message string
		want    bool
	}{
		{"ak_permission_error: vpc:DescribeVpcs: AuthFailure.UnauthorizedOperation: you are not authorized", true},
		{"ak_invalid", true},
		{"ak_invalid: The AccessKey was rejected", true},
		{"the vendor answered AuthFailure.SecretIdNotFound", true},
		{"Tencent Cloud: AuthFailure.UnauthorizedOperation", true},
		{"ak_type_error", false},
		{"ak_domain_error", false},
		{"ctdr_user_error: CtdrCloudUserId 1 is not the account of the key (2)", false},
		{"vendor_unreachable: cvm:DescribeInstances: Tencent Cloud is unreachable", false},
		{"ak_invalid_extra", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := (ModuleStatus{Status: StatusError, Message: tt.message}).AccessRefused(); got != tt.want {
			t.Errorf("AccessRefused(%q) = %v, want %v", tt.message, got, tt.want)
		}
	}
}
