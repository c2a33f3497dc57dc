package securitycenter

import (
	"encoding/json"
	"errors"
	"slices"
)

// ramService is the RAM service prefix of Security Center's actions: an operator key needs
// "yundun-sas:<Action>" for each action it calls
// (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-addcloudvendoraccountak,
// "Authorization information").
const ramService = "yundun-sas:"

// operatorActions are the actions the tool calls on an operator's behalf, those of every onboarding
// first, then those only a module needs.
var operatorActions = struct {
	always   []string
	byModule map[Module][]string
}{
	always: []string{"GetSupportedModules", "AddCloudVendorAccountAK", "ModifyCloudVendorAccountAK", "DeleteCloudVendorAccountAK",
		"DescribeCloudVendorAccountAKList", "ListCloudVendorRegions", "SetSyncRefreshRegion", "ChangeAssetRefreshTaskConfig",
		"ListAssetRefreshTaskConfig", "RefreshAssets"},
	byModule: map[Module][]string{
		// The reference spells this one's RAM action "yundun-sas:addCloudVendorTrialConfig"
		// (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-addcloudvendortrialconfig).
		ModuleAuditLogs: {"addCloudVendorTrialConfig", "DescribeCloudVendorTrialConfig", "ModifyCloudVendorTrialConfig"},
	},
}

// OperatorActions are the RAM actions ("yundun-sas:AddCloudVendorAccountAK", ...) an Alibaba Cloud key
// needs to connect an account with these modules, onboard it again, and roll it back.
func OperatorActions(modules []Module) []string {
	var out []string
	for _, a := range operatorActions.always {
		out = append(out, ramService+a)
	}
	for _, m := range modules {
		for _, a := range operatorActions.byModule[m] {
			if !slices.Contains(out, ramService+a) {
				out = append(out, ramService+a)
			}
		}
	}
	return out
}

// OperatorPolicy is the RAM policy document (policy grammar version "1") that grants OperatorActions.
// Security Center's multi-cloud actions take no resource-level permission, hence Resource "*".
func OperatorPolicy(modules []Module) ([]byte, error) {
	type statement struct {
		Effect   string
		Action   []string
		Resource string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{Version: "1", Statement: []statement{{Effect: "Allow", Action: OperatorActions(modules), Resource: "*"}}}
	return json.MarshalIndent(doc, "", "  ")
}

// MissingPermission names the RAM action an error says the Alibaba Cloud key lacks
// ("yundun-sas:AddCloudVendorAccountAK"), when it is a permission denial.
func MissingPermission(err error) (string, bool) {
	var api *APIError
	if !errors.As(err, &api) || api.AuthAction == "" {
		return "", false
	}
	return api.AuthAction, true
}
