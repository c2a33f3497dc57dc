package cmd

import (
	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// Every key this process signs with is registered with the store's scrubber the moment a client is
// built with it, so that the error printer, JSON output, the journal and the debug log mask it wherever a
// failure quotes it. The sub-user's new key is registered by the secret store as it is stored.

// rememberTencent registers a Tencent Cloud key's secret parts.
func rememberTencent(c tencent.Credential) {
	store.RememberSecret(c.SecretKey.Reveal())
	store.RememberSecret(c.Token.Reveal())
}

// rememberAlibaba registers an Alibaba Cloud key's secret parts.
func rememberAlibaba(c securitycenter.Credentials) {
	for _, s := range c.Secrets() {
		store.RememberSecret(s)
	}
}
