package cmd

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onboard/store"
)

// writeCounter counts the writes that reach the command's output, as each would be a write(2) on stdout.
type writeCounter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

// Every format of assets list writes through a buffer (a handful of writes for thousands of rows), and
// still streams: the output arrives in several writes, not held whole until the end.
func TestAssetsListWritesThroughABufferInEveryFormatAndStreams(t *testing.T) {
	home := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(home, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	const rows = 5000
	assets := make([]store.Asset, rows)
	for i := range assets {
		assets[i] = store.Asset{Kind: "cvm.instance", Region: "ap-guangzhou", ID: fmt.Sprintf("ins-%06d", i), Name: fmt.Sprintf("web-%d", i),
			Attributes: `{"InstanceId":"ins-` + fmt.Sprint(i) + `","InstanceType":"S5.MEDIUM4","Placement":{"Zone":"ap-guangzhou-3"},"PrivateIpAddresses":["10.0.0.1"]}`}
	}
	if _, err := db.UpsertAssets(context.Background(), "prod", assets, time.Now()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, format := range OutputFormats {
		t.Run(format, func(t *testing.T) {
			f, _, errOut := tencentTestFactory(map[string]string{"ONBOARD_HOME": home})
			out := &writeCounter{}
			f.IO.Out = out
			if code := run(context.Background(), f, []string{"assets", "list", "--output", format}); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			text := out.buf.String()
			switch format {
			case "json":
				var got []assetView
				if err := json.Unmarshal(out.buf.Bytes(), &got); err != nil || len(got) != rows {
					t.Fatalf("%d assets: %v", len(got), err)
				}
			case "csv":
				if recs, err := csv.NewReader(strings.NewReader(text)).ReadAll(); err != nil || len(recs) != rows+1 {
					t.Fatalf("%d records: %v", len(recs), err)
				}
			default:
				if n := strings.Count(text, "\n"); n != rows+1 || !strings.HasPrefix(text, "ACCOUNT") {
					t.Fatalf("%d lines, starting %.40q", n, text)
				}
			}
			if out.writes > rows/50 {
				t.Errorf("%d writes for %d rows (%d bytes): the output is not buffered", out.writes, rows, len(text))
			}
			if out.writes < 2 {
				t.Errorf("%d bytes in %d write: the output was held whole, not streamed", len(text), out.writes)
			}
		})
	}
}
