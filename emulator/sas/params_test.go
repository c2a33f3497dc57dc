package sas

import (
	"strings"
	"testing"
)

// AuthInfo's JSON text is read strictly: a member given twice or data after the object is refused with
// InvalidParameter, never resolved to the last value.
func TestJSONParameterIsStrict(t *testing.T) {
	for text, ok := range map[string]bool{
		`{"kafkaTopic":"a","kafkaUserName":"b"}`: true,
		`{"kafkaTopic":"a","kafkaTopic":"b"}`:    false,
		`{"kafkaTopic":"a"} {"kafkaTopic":"b"}`:  false,
		`{"kafkaTopic":"a"}trailing`:             false,
		`{"kafkaTopic":"a","KafkaTopic":"b"}`:    false,
		`{"kafkaTopic":1}`:                       false,
	} {
		m, e := params{"AuthInfo": text}.jsonObject("AuthInfo")
		if ok != (e == nil) {
			t.Errorf("%s: %v %v, want ok=%v", text, m, e, ok)
		}
		if e != nil && (e.Code != "InvalidParameter" || !strings.Contains(e.Message, "AuthInfo")) {
			t.Errorf("%s: %+v", text, e)
		}
	}
}
