package onboarding

import (
	"errors"
	"strings"
	"testing"
)

// The local --account name is checked, and the error says what is valid; --account-name's limit counts
// characters, not bytes, and refuses what a terminal would not print.
func TestLocalNameAndDisplayNameRules(t *testing.T) {
	base := func() Request {
		return Request{Mode: ModeManual, Features: []string{"host"}, SubUser: "sas-reader"}
	}
	for _, tt := range []struct {
		name  string
		set   func(*Request)
		field string // "" when valid
	}{
		{"owner UIN", func(r *Request) { r.Account = "100012345678" }, ""},
		{"plain", func(r *Request) { r.Account = "prod.eu-1_b@team" }, ""},
		{"any script", func(r *Request) { r.Account = "生产环境" }, ""},
		{"64 characters", func(r *Request) { r.Account = strings.Repeat("名", 64) }, ""},
		{"65 characters", func(r *Request) { r.Account = strings.Repeat("a", 65) }, "account"},
		{"escape sequence", func(r *Request) { r.Account = "prod\x1b[2J" }, "account"},
		{"newline", func(r *Request) { r.Account = "prod\nstaging" }, "account"},
		{"right-to-left override", func(r *Request) { r.Account = "prod\u202egnp" }, "account"},
		{"space", func(r *Request) { r.Account = "my prod" }, "account"},
		{"reads as a flag", func(r *Request) { r.Account = "-rf" }, "account"},
		{"display name of 64 Chinese characters", func(r *Request) { r.AccountName = strings.Repeat("云", 64) }, ""},
		{"display name of 65 characters", func(r *Request) { r.AccountName = strings.Repeat("云", 65) }, "account-name"},
		{"display name with spaces", func(r *Request) { r.AccountName = "Prod (EU)" }, ""},
		{"display name with a format character", func(r *Request) { r.AccountName = "prod\u202e" }, "account-name"},
		{"display name not UTF-8", func(r *Request) { r.AccountName = "prod\xff" }, "account-name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.set(&r)
			err := r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("got %v, want a refusal of --%s", err, tt.field)
			}
			if tt.field == "account" && !strings.Contains(err.Error(), "letters, digits and . _ - @") {
				t.Errorf("the error does not say what is valid: %v", err)
			}
		})
	}
}
