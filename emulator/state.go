package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"onboard/emulator/tcloud"
)

// savedState is a state file: each emulator's own saved state.
type savedState struct {
	Tencent        json.RawMessage `json:"tencent"`
	SecurityCenter json.RawMessage `json:"security_center"`
	// Members are the saved states of the Tencent Cloud account's organization members, by UIN: what an
	// organization onboarding made in them.
	Members map[string]json.RawMessage `json:"members,omitempty"`
}

// maxStateFileBytes bounds a state file: a sandbox account's users, policies and settings are a few
// kilobytes.
const maxStateFileBytes = 16 << 20

// checksDrain bounds how long saving waits for Security Center's background checks, which call the
// Tencent Cloud emulator of the same process and take milliseconds unless latency was added.
const checksDrain = 10 * time.Second

// loadState loads path into both emulators; a missing file is a first start.
func (e *Env) loadState(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the emulators' state: %w", err)
	}
	if len(data) > maxStateFileBytes {
		return fmt.Errorf("emulators' state %s: larger than %d bytes", path, maxStateFileBytes)
	}
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("emulators' state %s: %w (remove the file to start the emulated accounts afresh)", path, err)
	}
	if len(st.Tencent) > 0 {
		if err := e.Tencent.LoadState(st.Tencent); err != nil {
			return fmt.Errorf("emulators' state %s: %w (remove the file to start the emulated accounts afresh)", path, err)
		}
	}
	for uin, data := range st.Members {
		m := e.member(uin)
		if m == nil {
			return fmt.Errorf("emulators' state %s: account %s is not a member of the seeded organization (remove the file to start the emulated accounts afresh)", path, uin)
		}
		if err := m.LoadState(data); err != nil {
			return fmt.Errorf("emulators' state %s: member %s: %w (remove the file to start the emulated accounts afresh)", path, uin, err)
		}
	}
	if len(st.SecurityCenter) > 0 {
		if err := e.SecurityCenter.LoadState(st.SecurityCenter); err != nil {
			return fmt.Errorf("emulators' state %s: %w (remove the file to start the emulated accounts afresh)", path, err)
		}
	}
	return nil
}

// saveState writes both emulators' state to path, replacing it whole (a reader never sees half a file),
// once the checks Security Center is running have recorded their outcome. A process that changed nothing
// through either API writes nothing: a command that only reads never overwrites what a command running
// beside it saved.
func (e *Env) saveState(path string) error {
	changes := e.Tencent.Changes() + e.SecurityCenter.Changes()
	for _, m := range e.Tencent.Members() {
		changes += m.Changes()
	}
	if changes == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), checksDrain)
	defer cancel()
	_ = e.SecurityCenter.Wait(ctx) // a check still running is saved as timed out
	var st savedState
	var err error
	if st.Tencent, err = e.Tencent.SaveState(); err != nil {
		return err
	}
	if st.SecurityCenter, err = e.SecurityCenter.SaveState(); err != nil {
		return err
	}
	for _, m := range e.Tencent.Members() {
		if st.Members == nil {
			st.Members = map[string]json.RawMessage{}
		}
		if st.Members[fmt.Sprint(m.OwnerUIN())], err = m.SaveState(); err != nil {
			return err
		}
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".emulators-*.json")
	if err != nil {
		return fmt.Errorf("save the emulators' state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save the emulators' state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the emulators' state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the emulators' state: %w", err)
	}
	return nil
}

// member is the organization member of that UIN, or nil.
func (e *Env) member(uin string) *tcloud.Server {
	for _, m := range e.Tencent.Members() {
		if fmt.Sprint(m.OwnerUIN()) == uin {
			return m
		}
	}
	return nil
}
