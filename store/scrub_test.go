package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestScrubMasksEveryKnownSecretInEveryForm(t *testing.T) {
	secret := "scrub/Test+Secret=value&1"
	if got := Scrub("before " + secret); !strings.Contains(got, secret) {
		t.Fatalf("a secret nobody registered was masked: %q", got)
	}
	RememberSecret(secret)
	RememberSecret("short") // below the minimum: ordinary words must survive
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), fmt.Sprintf("%q", secret)} {
		text := "dial tcp: POST http://127.0.0.1:1/?SecretKey=" + form + " and a short word"
		got := Scrub(text)
		if strings.Contains(got, strings.Trim(form, `"`)) || !strings.Contains(got, "****") || !strings.Contains(got, "short word") {
			t.Errorf("Scrub(%q) = %q", text, got)
		}
	}
}

func TestScrubErrorKeepsTheChain(t *testing.T) {
	secret := "scrub-error-secret-0123456789"
	RememberSecret(secret)
	sentinel := errors.New("unavailable")
	err := ScrubError(fmt.Errorf("post ?SecretKey=%s: %w", secret, sentinel))
	if strings.Contains(err.Error(), secret) || !errors.Is(err, sentinel) {
		t.Errorf("scrubbed error %q, errors.Is %v", err, errors.Is(err, sentinel))
	}
	if ScrubError(nil) != nil {
		t.Error("ScrubError(nil) is not nil")
	}
}

func TestScrubHandlerMasksMessagesAndAttributes(t *testing.T) {
	secret := "scrub-log-secret-0123456789"
	RememberSecret(secret)
	var buf bytes.Buffer
	log := slog.New(ScrubHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = log.With("key", secret).WithGroup("g")
	log.Debug("failed with "+secret, "error", errors.New("url ?SecretKey="+secret), "params", map[string]string{"SecretKey": secret},
		slog.Group("inner", "value", secret), "status", 500)
	out := buf.String()
	if strings.Contains(out, secret) || !strings.Contains(out, `"status":500`) || strings.Count(out, "****") < 5 {
		t.Errorf("debug log: %s", out)
	}
}

func TestSecretStoresRegisterWhatTheyHold(t *testing.T) {
	ctx := context.Background()
	put, got := "store-put-secret-0123456789", "store-get-secret-0123456789"
	mem := NewMemoryStore()
	if err := mem.Put(ctx, "a", Credential{SecretID: "AKIDput", SecretKey: Secret(put)}); err != nil {
		t.Fatal(err)
	}
	if Scrub(put) != "****" || Scrub("AKIDput#"+put) != "****" {
		t.Errorf("Put did not register the secret or its Kafka password: %q", Scrub("AKIDput#"+put))
	}
	// A secret read back from a store this process did not write (an earlier run's).
	home := t.TempDir()
	files, err := NewFileStore(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.write(map[string]string{"b": `{"SecretId":"AKIDget","SecretKey":"` + got + `"}`}); err != nil {
		t.Fatal(err)
	}
	if Scrub(got) != got {
		t.Fatal("the secret was registered before it was read: the check below proves nothing")
	}
	if _, err := files.Get(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if Scrub(got) != "****" {
		t.Error("Get did not register the secret it read")
	}
}

func TestSyncOutcomesAreScrubbed(t *testing.T) {
	secret := "sync-outcome-secret-0123456789"
	RememberSecret(secret)
	db, _ := openTestDB(t)
	ctx := context.Background()
	if err := db.RecordSync(ctx, SyncOutcome{Account: "prod", Kind: "cvm.instance", Region: "ap-guangzhou", Status: SyncFailed, Error: "post ?k=" + secret}); err != nil {
		t.Fatal(err)
	}
	out, err := db.SyncOutcomes(ctx, "prod")
	if err != nil || len(out) != 1 || strings.Contains(out[0].Error, secret) || !strings.Contains(out[0].Error, "****") {
		t.Errorf("outcomes %+v %v", out, err)
	}
}
