// Package policy owns the CAM policy language as onboard and its Tencent Cloud emulator use it: parsing
// and validating policy documents (version 2.0) with CAM's error codes, normalising them, evaluating
// them for a request, the catalogue of known actions, the embedded policy templates (cspmPolicy,
// siemPolicy, ciemPolicy) and read-only approximations of the preset policies, the grants each feature
// needs, placeholder rendering with strict validation, and drift diffs between a live and a wanted
// document.
//
// It must not import any cloud SDK or any other package of this project: the emulator imports it, so
// the tool and the emulated service speak one policy language.
//
// Matching rules, where CAM's own documentation leaves them open:
//   - Action names match exactly (case-sensitive) in their API part; the service part is compared
//     case-insensitively and is stored in lower case. The legacy "name/<service>:<Api>" form is accepted
//     and normalised to "<service>:<Api>".
//   - "*" in an action or resource pattern matches any sequence of characters, including none.
//   - A request whose resource is "*" (an operation-level API, or a call that names no resource) is
//     matched only by the resource pattern "*": a statement scoped to specific resources does not grant it.
//   - An empty project segment in a six-segment resource pattern matches any project; every other
//     segment must match.
//   - A condition whose key is absent from the request context does not match, whatever its operator
//     (also the negated ones, and also with for_all_value:), unless the operator carries the
//     "_if_exist" suffix (then it matches) or is null_equal (which tests presence). All conditions of a
//     statement must match.
//   - date_* values are ISO 8601 date-times; one without a time zone is read as UTC. binary_equal
//     compares the bytes that base64 values encode.
//
// Condition operators follow CAM's documented list and evaluation logic:
// https://www.tencentcloud.com/document/product/598/58420 (operators) and
// https://www.tencentcloud.com/document/product/598/58419 (evaluation, _if_exist, for_any_value:,
// for_all_value:); docs/facts/cam-conditions.md states each operator's meaning.
//
// Services: CAM knows more services than the catalogue of known actions (which holds the services
// onboard calls), so an action of a service the catalogue does not know is not an error; CheckActions
// reports it for a warning. ValidateActions refuses it, for the stricter reading of CreatePolicy.
package policy
