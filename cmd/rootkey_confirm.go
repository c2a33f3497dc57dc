package cmd

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"onboard/tencent"
)

// identifier is what asking for the root key's confirmation needs of Tencent Cloud.
type identifier interface {
	CallerIdentity(ctx context.Context) (tencent.Identity, error)
}

// askRootKeyConfirmation asks the person on the terminal to type the last four characters of the root
// key's SecretId before the run disables or deletes it, as destructive commands ask for a typed answer.
// It asks only when the key is a root key; otherwise (or when the caller cannot be identified, which the
// pre-flight then reports) it returns "". The engine's pre-flight checks the answer.
func askRootKeyConfirmation(ctx context.Context, f *Factory, cloud identifier, action, secretID string) (string, error) {
	id, err := cloud.CallerIdentity(ctx)
	if err != nil || !id.IsRoot() {
		return "", nil
	}
	fmt.Fprintf(f.IO.ErrOut, "The run will %s the root key %s as its very last step; this cannot be undone by onboard.\n"+
		"Type the last four characters of its SecretId to confirm: ", action, tencent.MaskID(secretID))
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(f.IO.In).ReadString('\n')
		got <- answer{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case a := <-got:
		if a.err != nil && a.line == "" {
			return "", fmt.Errorf("read the root key's confirmation: %w", a.err)
		}
		return strings.TrimSpace(a.line), nil
	}
}
