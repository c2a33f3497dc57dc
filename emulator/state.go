package emulator

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
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
//
// final is the save at Close, after drainChecks: it writes even when no call changed anything since the
// last save, as the checks' outcomes are no call's. A save after one call saves a check still running as
// timed out until a later save. It runs under e.saveMu.
func (e *Env) saveState(path string, final bool) error {
	changes := e.changes()
	if changes == 0 || changes == e.saved && !final {
		return nil
	}
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
	e.saved = changes
	return nil
}

// drainChecks waits, up to checksDrain, for the checks Security Center is running to record their
// outcome. It must not hold e.saveMu: a check calls the Tencent Cloud emulator, whose answers wait for
// that lock (savingAnswers).
func (e *Env) drainChecks() {
	ctx, cancel := context.WithTimeout(context.Background(), checksDrain)
	defer cancel()
	_ = e.SecurityCenter.Wait(ctx) // a check still running is saved as timed out
}

// changes counts the changes API calls made to both emulators since they started.
func (e *Env) changes() int {
	n := e.Tencent.Changes() + e.SecurityCenter.Changes()
	for _, m := range e.Tencent.Members() {
		n += m.Changes()
	}
	return n
}

// savingAnswers serves h so that, with a state file, a call's answer leaves only once what the call
// changed is in the file: a process killed at any point (a pipe closed under it, kill -9) leaves the
// emulated clouds as the answers it received said, as the real clouds would be. Without a state file it
// is h.
func (e *Env) savingAnswers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.saveMu.Lock()
		path := e.stateFile
		e.saveMu.Unlock()
		if path == "" {
			h.ServeHTTP(w, r)
			return
		}
		held := &heldAnswer{ResponseWriter: w, header: http.Header{}}
		h.ServeHTTP(held, r)
		if held.hijacked { // a dropped connection: no answer to hold
			return
		}
		e.saveMu.Lock()
		err := e.saveState(path, false)
		e.saveMu.Unlock()
		if err != nil {
			http.Error(w, "emulator: "+err.Error(), http.StatusInternalServerError)
			return
		}
		maps.Copy(w.Header(), held.header)
		w.WriteHeader(cmp.Or(held.status, http.StatusOK))
		w.Write(held.body.Bytes())
	})
}

// heldAnswer keeps an answer until the state is saved; a handler that takes the connection over (a
// dropped-connection fault) gets it at once.
type heldAnswer struct {
	http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (a *heldAnswer) Header() http.Header { return a.header }

func (a *heldAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *heldAnswer) Write(b []byte) (int, error) { return a.body.Write(b) }

func (a *heldAnswer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := a.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	a.hijacked = true
	return hj.Hijack()
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
