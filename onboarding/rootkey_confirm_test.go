package onboarding

import (
	"context"
	"errors"
	"testing"

	"onboard/emulator"
)

// journaledRootKey is what the journal of the account's latest run says became of the root key.
func (f *fixture) journaledRootKey(t *testing.T, account string) string {
	t.Helper()
	ctx := context.Background()
	run, err := f.engine.DB.LatestRun(ctx, account, "onboard")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := f.engine.DB.Journal(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, e := range entries {
		if e.Step == "root-key" && e.IDs[idRootKey] != "" {
			out = e.IDs[idRootKey]
		}
	}
	return out
}

// TestRootKeyRetirementSaysExactlyWhatHappened runs each root-key choice against the emulator, under
// both readings of whether CAM deletes an active root key: the result, the journal and the emulator's
// state agree.
func TestRootKeyRetirementSaysExactlyWhatHappened(t *testing.T) {
	tests := []struct {
		name       string
		choice     string
		deleteRoot bool // the emulator deletes an active root key
		want       string
		event      Status
	}{
		{"keep", RootKeyKeep, false, RootKeyKept, StatusSkipped},
		{"disable", RootKeyDisable, false, RootKeyDisabled, StatusDone},
		{"delete refused, so disabled", RootKeyDelete, false, RootKeyDisabled, StatusDone},
		{"delete", RootKeyDelete, true, RootKeyDeleted, StatusDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, emulator.Options{DeleteActiveRootKey: tt.deleteRoot})
			f.engine.OperatorKeyID = f.env.TencentSecretID
			var final Status
			res, err := f.engine.Apply(context.Background(), f.confirmed(rootKeyRequest(tt.choice)), func(e Event) {
				if e.Step == "root-key" && e.Status != StatusRunning {
					final = e.Status
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.RootKey != tt.want || f.journaledRootKey(t, res.Account) != tt.want || final != tt.event {
				t.Errorf("result %q, journal %q, event %s; want %q and %s", res.RootKey, f.journaledRootKey(t, res.Account), final, tt.want, tt.event)
			}
			if works := f.rootKeyWorks(t); works != (tt.want == RootKeyKept) {
				t.Errorf("root key %s, yet it works: %v", tt.want, works)
			}
			if _, exists := f.emu.KeyStatus(f.env.TencentSecretID); exists == (tt.want == RootKeyDeleted) {
				t.Errorf("root key %s, yet it exists in the emulator: %v", tt.want, exists)
			}
		})
	}
}

// TestRootKeyRetirementNeedsItsConfirmation refuses disable and delete without the last four characters
// of the root key's SecretId, or with others, in the pre-flight: nothing changes.
func TestRootKeyRetirementNeedsItsConfirmation(t *testing.T) {
	for _, confirm := range []string{"", "0000"} {
		f := newFixture(t)
		f.engine.OperatorKeyID = f.env.TencentSecretID
		req := rootKeyRequest(RootKeyDelete)
		req.RootKeyConfirm = confirm
		_, err := f.engine.Apply(context.Background(), req, nil)
		var fe *FieldError
		var pe *PreflightError
		if !errors.As(err, &pe) || !errors.As(err, &fe) || fe.Field != "confirm-root-key" {
			t.Fatalf("confirmation %q: %v; want a pre-flight FieldError on confirm-root-key", confirm, err)
		}
		if m := f.mutatingCalls(); len(m) != 0 || !f.rootKeyWorks(t) {
			t.Errorf("confirmation %q: mutating calls %v", confirm, m)
		}
		if fix, ok := FixFor(err); !ok || fix.Field != "confirm-root-key" {
			t.Errorf("fix %+v", fix)
		}
	}
	// A plan (a dry run) needs no confirmation: it changes nothing.
	f := newFixture(t)
	f.engine.OperatorKeyID = f.env.TencentSecretID
	if _, err := f.engine.Plan(context.Background(), rootKeyRequest(RootKeyDelete)); err != nil {
		t.Errorf("plan: %v", err)
	}
}
