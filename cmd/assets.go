package cmd

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"onboard/inventory"
	"onboard/store"
)

// AssetsOptions are the inputs of `onboard assets list`.
type AssetsOptions struct {
	f           *Factory
	Account     string
	Kind        string
	Region      string
	IncludeGone bool
	Format      string // text, json or csv: the global --output
	Columns     string // the text table's columns, comma-separated
}

// assetColumns are the columns of the text table, in order.
var assetColumns = []string{"account", "kind", "region", "id", "name", "last_seen", "gone"}

func newCmdAssets(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "assets",
		Short:   "The local inventory of onboarded accounts' assets",
		Example: "  onboard assets list --kind cvm.instance\n  onboard assets list --account prod --output json",
	}
	opts := &AssetsOptions{f: f}
	list := &cobra.Command{
		Use:   "list",
		Short: "List synchronised assets",
		Long: `List the assets the last syncs stored, ordered by account, kind, region and ID. Assets no longer listed
by Tencent Cloud are marked gone and shown only with --include-gone.

Kinds: ` + strings.Join(inventory.KindNames(), ", ") + `.`,
		Example: "  onboard assets list --kind cvm.instance --region ap-guangzhou\n  onboard assets list --output csv > assets.csv",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Format = f.Output
			if !c.Flags().Changed("columns") && !opts.IncludeGone {
				opts.Columns = strings.TrimSuffix(opts.Columns, ",gone") // every row would show "-"
			}
			return assetsListRun(c.Context(), opts)
		},
	}
	fl := list.Flags()
	fl.StringVar(&opts.Account, "account", "", "only this onboarded account")
	fl.StringVar(&opts.Kind, "kind", "", "only this kind")
	fl.StringVar(&opts.Region, "region", "", "only this region")
	fl.BoolVar(&opts.IncludeGone, "include-gone", false, "also list assets marked gone")
	fl.StringVar(&opts.Columns, "columns", strings.Join(assetColumns, ","), "the table's columns, comma-separated: "+strings.Join(assetColumns, ", ")+" (gone only with --include-gone)")
	addSandboxFlag(list, f)
	cmd.AddCommand(list)
	return cmd
}

// assetView is one asset as the commands print it.
type assetView struct {
	Account    string          `json:"account"`
	Kind       string          `json:"kind"`
	Region     string          `json:"region"`
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	FirstSeen  string          `json:"first_seen"`
	LastSeen   string          `json:"last_seen"`
	GoneAt     string          `json:"gone_at,omitempty"`
	Attributes json.RawMessage `json:"attributes"`
}

func assetsListRun(ctx context.Context, opts *AssetsOptions) error {
	columns := splitList(opts.Columns)
	for _, c := range columns {
		if !slices.Contains(assetColumns, c) {
			return Usagef("invalid --columns: unknown column %q; valid columns are %s", c, strings.Join(assetColumns, ", "))
		}
	}
	if len(columns) == 0 {
		return Usagef("invalid --columns: empty; valid columns are %s", strings.Join(assetColumns, ", "))
	}
	if opts.Kind != "" && !slices.Contains(inventory.KindNames(), opts.Kind) {
		return Usagef("invalid --kind %q: valid kinds are %s", opts.Kind, strings.Join(inventory.KindNames(), ", "))
	}
	db, err := openStoreReadOnly(ctx, opts.f)
	if err != nil {
		return err
	}
	defer db.Close()
	if opts.Account != "" {
		if _, err := db.Account(ctx, opts.Account); err != nil {
			return &UsageError{Err: fmt.Errorf("--account %q: %w; see onboard accounts list", opts.Account, err)}
		}
	}
	if opts.Region != "" {
		held, err := db.AssetRegions(ctx, opts.Account)
		if err != nil {
			return err
		}
		if !slices.Contains(held, opts.Region) {
			if len(held) == 0 {
				return Usagef("invalid --region %q: the inventory holds no assets yet; run onboard sync first", opts.Region)
			}
			return Usagef("invalid --region %q: valid regions (those the inventory holds assets in) are %s", opts.Region, strings.Join(held, ", "))
		}
	}
	filter := store.AssetFilter{Account: opts.Account, Kind: opts.Kind, Region: opts.Region, IncludeGone: opts.IncludeGone}
	out := newStreamOut(opts.f.IO.Out)
	switch opts.Format {
	case "json":
		return out.end(writeAssetsJSON(ctx, db, filter, out))
	case "csv":
		return out.end(writeAssetsCSV(ctx, db, filter, out))
	}
	table := newAssetTable(out, columns, opts.f.IO.TerminalWidth())
	if table.tw != nil {
		// A tabwriter holds its cells until flushed: flushed with the output, its columns are aligned
		// within each block of rows written together, and the table is never held whole.
		out.before = table.tw.Flush
	}
	n := 0
	err = db.EachAsset(ctx, filter, func(account string, a store.Asset) error {
		n++
		v := viewOfAsset(account, a)
		cells := map[string]string{"account": terminalSafe(v.Account), "kind": v.Kind, "region": dash(terminalSafe(v.Region)),
			"id": terminalSafe(v.ID), "name": terminalSafe(v.Name), "last_seen": v.LastSeen, "gone": dash(v.GoneAt)}
		if err := table.add(cells); err != nil {
			return err
		}
		return out.row()
	})
	if err == nil {
		err = table.flush()
	}
	if err := out.end(err); err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(opts.f.IO.ErrOut, "No assets match. Run onboard sync to fill the inventory.")
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func viewOfAsset(account string, a store.Asset) assetView {
	v := assetView{Account: account, Kind: a.Kind, Region: a.Region, ID: a.ID, Name: a.Name,
		FirstSeen: a.FirstSeen.UTC().Format(time.RFC3339), LastSeen: a.LastSeen.UTC().Format(time.RFC3339),
		Attributes: json.RawMessage(a.Attributes)}
	if !a.GoneAt.IsZero() {
		v.GoneAt = a.GoneAt.UTC().Format(time.RFC3339)
	}
	if !json.Valid(v.Attributes) {
		v.Attributes = json.RawMessage("null")
	}
	return v
}

// streamOut is the output of `assets list`: rows go through a buffer, so a row costs no system call,
// and the buffer is flushed when full and at least every streamFlushInterval, so a reader at the other
// end of a pipe gets rows as they come rather than at the end.
type streamOut struct {
	w         *bufio.Writer
	before    func() error // flushed into w first (the table's tabwriter), when set
	lastFlush time.Time
	rows      int
}

const (
	streamBufferSize    = 64 << 10
	streamFlushInterval = 200 * time.Millisecond
	streamFlushRows     = 1000 // rows between flushes of `before`, which holds whole rows
)

func newStreamOut(w io.Writer) *streamOut {
	return &streamOut{w: bufio.NewWriterSize(w, streamBufferSize), lastFlush: time.Now()}
}

func (s *streamOut) Write(p []byte) (int, error) { return s.w.Write(p) }

// row is called after each row; it flushes what is held when it is due.
func (s *streamOut) row() error {
	s.rows++
	if s.before != nil && s.rows%streamFlushRows == 0 {
		if err := s.before(); err != nil {
			return err
		}
	}
	if time.Since(s.lastFlush) < streamFlushInterval {
		return nil
	}
	return s.flush()
}

func (s *streamOut) flush() error {
	if s.before != nil {
		if err := s.before(); err != nil {
			return err
		}
	}
	s.lastFlush = time.Now()
	return s.w.Flush()
}

// end writes out what is held, also after an error (the rows before it are still worth having), and
// returns the first error.
func (s *streamOut) end(err error) error {
	if ferr := s.flush(); err == nil {
		err = ferr
	}
	return err
}

// writeAssetsJSON streams a JSON array, one asset at a time, so a large inventory is never held whole.
func writeAssetsJSON(ctx context.Context, db *store.DB, filter store.AssetFilter, out *streamOut) error {
	if _, err := io.WriteString(out, "["); err != nil {
		return err
	}
	first := true
	err := db.EachAsset(ctx, filter, func(account string, a store.Asset) error {
		data, err := json.Marshal(viewOfAsset(account, a))
		if err != nil {
			return err
		}
		sep := ",\n"
		if first {
			sep, first = "\n", false
		}
		if _, err := io.WriteString(out, sep); err != nil {
			return err
		}
		if _, err := out.Write(data); err != nil {
			return err
		}
		return out.row()
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, "\n]\n")
	return err
}

func writeAssetsCSV(ctx context.Context, db *store.DB, filter store.AssetFilter, out *streamOut) error {
	w := csv.NewWriter(out)
	out.before = func() error { w.Flush(); return w.Error() }
	w.Write([]string{"account", "kind", "region", "id", "name", "first_seen", "last_seen", "gone_at"})
	err := db.EachAsset(ctx, filter, func(account string, a store.Asset) error {
		v := viewOfAsset(account, a)
		if err := w.Write([]string{v.Account, v.Kind, v.Region, v.ID, v.Name, v.FirstSeen, v.LastSeen, v.GoneAt}); err != nil {
			return err
		}
		return out.row()
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// textTable writes a list command's text table. Piped, it streams through a tabwriter and never cuts a
// value. On a terminal of known width it holds the rows, then cuts the free-text columns (shrink, in
// order) with "…" until a line fits.
type textTable struct {
	out     io.Writer
	columns []string
	shrink  []string
	width   int
	tw      *tabwriter.Writer
	rows    [][]string
}

// newAssetTable is the table of assets list, whose names and then IDs are cut to fit.
func newAssetTable(out io.Writer, columns []string, width int) *textTable {
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = strings.ToUpper(strings.ReplaceAll(c, "_", " "))
	}
	return newTextTable(out, columns, header, []string{"name", "id"}, width)
}

// newTextTable starts a table of columns titled header; width is the terminal's, or 0 when piped.
func newTextTable(out io.Writer, columns, header, shrink []string, width int) *textTable {
	t := &textTable{out: out, columns: columns, shrink: shrink, width: width}
	if width <= 0 {
		t.tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(t.tw, strings.Join(header, "\t"))
	} else {
		t.rows = [][]string{header}
	}
	return t
}

func (t *textTable) add(cells map[string]string) error {
	row := make([]string, len(t.columns))
	for i, c := range t.columns {
		row[i] = cells[c]
	}
	if t.tw != nil {
		_, err := fmt.Fprintln(t.tw, strings.Join(row, "\t"))
		return err
	}
	t.rows = append(t.rows, row)
	return nil
}

const columnGap = 2

func (t *textTable) flush() error {
	if t.tw != nil {
		return t.tw.Flush()
	}
	widths := make([]int, len(t.columns))
	for _, row := range t.rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	total := func() int {
		n := columnGap * (len(widths) - 1)
		for _, w := range widths {
			n += w
		}
		return n
	}
	// Shrink the free-text columns, in order, down to a floor that keeps them recognisable.
	for _, name := range t.shrink {
		i := slices.Index(t.columns, name)
		if i < 0 {
			continue
		}
		if over := total() - t.width; over > 0 {
			widths[i] = max(widths[i]-over, min(widths[i], 6))
		}
	}
	var b strings.Builder
	for _, row := range t.rows {
		for i, cell := range row {
			cell = truncate(cell, widths[i])
			if i == len(row)-1 {
				b.WriteString(cell)
				break
			}
			b.WriteString(cell + strings.Repeat(" ", widths[i]-len([]rune(cell))+columnGap))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(t.out, b.String())
	return err
}

// truncate cuts s to width columns, ending with "…" when it cut.
func truncate(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	if width <= 1 {
		return "…"
	}
	return string(r[:width-1]) + "…"
}
