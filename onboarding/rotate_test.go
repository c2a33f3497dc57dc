package onboarding

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"onboard/securitycenter"
	"onboard/store"
	"onboard/tencent"
)

// failingStore refuses to Put the items whose name has the suffix.
type failingStore struct {
	*store.MemoryStore
	suffix string
}

func (s failingStore) Put(ctx context.Context, name string, c store.Credential) error {
	if strings.HasSuffix(name, s.suffix) {
		return errors.New("the secret store is locked")
	}
	return s.MemoryStore.Put(ctx, name, c)
}

// slowValidation is the real Security Center client whose first wait for a validation gives up, as when
// Security Center takes longer than the rotation waits.
type slowValidation struct {
	*securitycenter.Client
	waited bool
}

func (s *slowValidation) WaitForValidation(ctx context.Context, authID int64) (securitycenter.Account, error) {
	if !s.waited {
		s.waited = true
		return securitycenter.Account{}, context.DeadlineExceeded
	}
	return s.Client.WaitForValidation(ctx, authID)
}

func rotationRequest() Request {
	return Request{Mode: ModeManual, Features: []string{"host", "cspm"}, SubUser: "sas-reader", Site: "outside",
		Regions: []string{"ap-guangzhou"}, SkipSync: true}
}

// connection checks that Security Center has validated a key of the sub-user that the secret store holds
// (in the account's item or the rotation's next item), and returns its ID.
func connection(t *testing.T, f *fixture, account string) string {
	t.Helper()
	ctx := context.Background()
	a, err := f.engine.DB.Account(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	authID, _ := strconv.ParseInt(a.AuthID, 10, 64)
	acct, err := f.sc.WaitForValidation(ctx, authID)
	if err != nil {
		t.Fatal(err)
	}
	if p := validationProblem(acct); p != "" {
		t.Fatalf("Security Center does not validate the key: %s", p)
	}
	for _, item := range []string{a.SecretItem, nextItem(a.SecretItem)} {
		c, err := f.secrets.Get(ctx, item)
		if err == nil && maskFits(acct.MaskedSecretID, c.SecretID) {
			return c.SecretID
		}
	}
	t.Fatalf("Security Center holds key %s, which the secret store does not hold", acct.MaskedSecretID)
	return ""
}

func keysOf(t *testing.T, f *fixture, uin uint64) []tencent.AccessKey {
	t.Helper()
	keys, err := f.admin.ListAccessKeys(context.Background(), uin)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestRotateKeyReplacesTheKeyWithSecurityCenterValidatingIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, rotationRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.engine.RotateKey(ctx, res.Account, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.NewKeyID == "" || got.NewKeyID == res.AccessKeyID || got.InUse != got.NewKeyID || got.OldKey != "deleted" {
		t.Fatalf("rotation: %+v", got)
	}
	if in := connection(t, f, res.Account); in != got.NewKeyID {
		t.Fatalf("Security Center uses %s, not the new key %s", in, got.NewKeyID)
	}
	keys := keysOf(t, f, res.SubUserUIN)
	if len(keys) != 1 || keys[0].ID != got.NewKeyID {
		t.Fatalf("keys after rotation: %+v", keys)
	}
	if a, _ := f.engine.DB.Account(ctx, res.Account); a.AccessKeyID != got.NewKeyID {
		t.Fatalf("the record still names %s", a.AccessKeyID)
	}
	if _, err := f.secrets.Get(ctx, nextItem("tencent/"+res.OwnerUIN+"/sas-reader")); !errors.Is(err, store.ErrSecretNotFound) {
		t.Errorf("the rotation's next item is left: %v", err)
	}
	if st, _ := f.engine.Status(ctx, res.Account); st.Verdict == VerdictBroken {
		t.Fatalf("status after rotation: %+v", notOK(st))
	}
}

// TestRotateKeyFaultAtEveryStep fails each step of a rotation in turn: the error names the key the
// connection works on, Security Center validates a stored key, and a second rotation completes.
func TestRotateKeyFaultAtEveryStep(t *testing.T) {
	cases := []struct {
		name   string
		inject func(f *fixture)
		onNew  bool // the connection is on the new key after the fault
	}{
		{"create the key", func(f *fixture) { f.emu.FailNext("CreateAccessKey", "InternalError", 10) }, false},
		{"store the new key", func(f *fixture) { f.engine.Secrets = failingStore{f.secrets, "#next"} }, false},
		{"verify the new key", func(f *fixture) { f.emu.FailNext("GetCallerIdentity", "InternalError", 10) }, false},
		{"submit to Security Center", func(f *fixture) { f.env.SecurityCenter.FailNext("ModifyCloudVendorAccountAK", "InternalError", 2) }, false},
		{"wait for Security Center's validation", func(f *fixture) {
			// Security Center holds the new key, but its validation is not seen: the old key is given back.
			f.engine.SecurityCenter = &slowValidation{Client: f.sc}
		}, false},
		{"store the new key as the account's", func(f *fixture) {
			f.engine.Secrets = failingStore{f.secrets, "/sas-reader"}
		}, true},
		{"disable the old key", func(f *fixture) { f.emu.FailNext("UpdateAccessKey", "InternalError", 10) }, true},
		{"delete the old key", func(f *fixture) { f.emu.FailNext("DeleteAccessKey", "InternalError", 10) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			res, err := f.engine.Apply(ctx, rotationRequest(), nil)
			if err != nil {
				t.Fatal(err)
			}
			c.inject(f)
			got, err := f.engine.RotateKey(ctx, res.Account, 0, nil)
			var rerr *RotationError
			if !errors.As(err, &rerr) {
				t.Fatalf("rotation with a fault: %v (%+v)", err, got)
			}
			in := connection(t, f, res.Account)
			if c.onNew != (in != res.AccessKeyID) {
				t.Fatalf("the connection is on %s (old %s, new %s)", in, res.AccessKeyID, got.NewKeyID)
			}
			if !strings.Contains(rerr.InUse, in) || !strings.Contains(err.Error(), "the connection works on key") {
				t.Fatalf("the error names %q, the connection is on %s: %v", rerr.InUse, in, err)
			}
			// Faults gone, a second rotation completes with one key left, validated.
			f.emu.ClearFaults()
			f.engine.Secrets, f.engine.SecurityCenter = f.secrets, f.sc
			again, err := f.engine.RotateKey(ctx, res.Account, 0, nil)
			if err != nil {
				t.Fatalf("second rotation: %v", err)
			}
			if in := connection(t, f, res.Account); in != again.NewKeyID {
				t.Fatalf("after the second rotation Security Center uses %s, not %s", in, again.NewKeyID)
			}
			if keys := keysOf(t, f, res.SubUserUIN); len(keys) != 1 || keys[0].ID != again.NewKeyID {
				t.Fatalf("keys after the second rotation: %+v", keys)
			}
		})
	}
}

func TestRotateKeyWithTwoKeysRemovesOnlyALostKeyOfItsOwn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, rotationRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A key someone else made: never removed; the rotation changes nothing and says what to do.
	stranger, err := f.admin.CreateAccessKey(ctx, res.SubUserUIN, "ci-pipeline")
	if err != nil {
		t.Fatal(err)
	}
	f.emu.ResetCalls()
	_, err = f.engine.RotateKey(ctx, res.Account, 0, nil)
	if !errors.Is(err, tencent.ErrKeyLimit) || !strings.Contains(err.Error(), tencent.MaskID(stranger.ID)) || !strings.Contains(err.Error(), "not created by this onboard installation") {
		t.Fatalf("rotation beside a stranger's key: %v", err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("the refused rotation changed: %v", m)
	}
	if err := f.admin.DeleteAccessKey(ctx, res.SubUserUIN, stranger.ID); err != nil {
		t.Fatal(err)
	}
	// A key another installation made is that installation's: its secret may be in use elsewhere.
	foreign, err := f.admin.CreateAccessKey(ctx, res.SubUserUIN, keyDescription("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	f.emu.ResetCalls()
	_, err = f.engine.RotateKey(ctx, res.Account, 0, nil)
	if !errors.Is(err, tencent.ErrKeyLimit) || !strings.Contains(err.Error(), tencent.MaskID(foreign.ID)) {
		t.Fatalf("rotation beside another installation's key: %v", err)
	}
	if m := f.mutatingCalls(); len(m) != 0 {
		t.Fatalf("the refused rotation changed: %v", m)
	}
	if err := f.admin.DeleteAccessKey(ctx, res.SubUserUIN, foreign.ID); err != nil {
		t.Fatal(err)
	}
	// A key of this installation whose secret is held nowhere (a create whose answer was lost) is removed.
	lost, err := f.admin.CreateAccessKey(ctx, res.SubUserUIN, keyDescription(f.engine.Installation))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.engine.RotateKey(ctx, res.Account, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !containsPrefix(got.Done, "deleted key "+tencent.MaskID(lost.ID)) {
		t.Errorf("the rotation does not say it removed the lost key: %v", got.Done)
	}
	if keys := keysOf(t, f, res.SubUserUIN); len(keys) != 1 || keys[0].ID != got.NewKeyID {
		t.Fatalf("keys: %+v", keys)
	}
}

// A rotation waits for Security Center's validation as onboarding does: when Security Center's check of
// the new key is refused by CAM (a grant or key not applied everywhere yet), the key is submitted again,
// through the ledger, until Security Center accepts it, and the wait is announced.
func TestRotateKeyWaitsForSecurityCenterAsOnboardingDoes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.engine.Apply(ctx, rotationRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.engine.PropagationWait = 10 * time.Second
	// Security Center's first check of the host module lists instances with the new key: refused once.
	f.emu.FailNext("cvm:DescribeInstances", "AuthFailure.UnauthorizedOperation", 1)
	var announced bool
	got, err := f.engine.RotateKey(ctx, res.Account, 0, func(e Event) {
		announced = announced || (e.Step == "security-center" && e.Detail == camWaitText(f.engine.PropagationWait))
	})
	if err != nil {
		t.Fatalf("rotation with one refused validation: %v", err)
	}
	if got.InUse != got.NewKeyID {
		t.Fatalf("rotation: %+v", got)
	}
	if in := connection(t, f, res.Account); in != got.NewKeyID {
		t.Fatalf("Security Center uses %s, not the new key %s", in, got.NewKeyID)
	}
	if !announced {
		t.Error("the wait for Security Center's validation was not announced")
	}
	entries, err := f.engine.DB.Ledger(ctx, res.Account)
	if err != nil {
		t.Fatal(err)
	}
	submitted := 0
	for _, e := range entries {
		if e.Kind == kindSCAccount && e.Action == store.LedgerChange && e.Attrs[attrSecretID] == got.NewKeyID && e.State == store.LedgerMade {
			submitted++
		}
	}
	if submitted != 2 {
		t.Errorf("the new key was submitted %d times through the ledger, want 2 (once, and again after the refusal)", submitted)
	}
}
