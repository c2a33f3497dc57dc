package securitycenter

import (
	"context"
	"errors"
	"testing"
)

// A temporary (STS) AccessKey's security token travels with every call, under both signatures; without
// it the key is refused as rejected credentials.
func TestSecurityTokenIsSentWithATemporaryKey(t *testing.T) {
	w := newWorld(t)
	const stsID, stsSecret, token = "STS.NUclientTestTemporaryKey", "temporary-secret", "CAIS-client-test-token"
	if err := w.sc.AddTemporaryAccessKey(aliKeyID, stsID, stsSecret, token); err != nil {
		t.Fatal(err)
	}
	for _, v1 := range []bool{false, true} {
		for _, tok := range []Secret{token, ""} {
			cred, err := StaticCredentials(stsID, stsSecret, tok, "test")
			if err != nil {
				t.Fatal(err)
			}
			c, err := New(Options{Credentials: cred, Endpoint: w.url, SignatureV1: v1, Retry: Retry{Attempts: 1}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Regions(context.Background(), VendorTencent)
			switch {
			case tok != "" && err != nil:
				t.Errorf("signature v1 %v, with the token: %v", v1, err)
			case tok == "" && !errors.Is(err, ErrAuth):
				t.Errorf("signature v1 %v, without the token: %v, want credentials rejected", v1, err)
			}
		}
	}
}
