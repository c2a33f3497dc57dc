package cmd

import (
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

func init() { subcommands = append(subcommands, newCmdAssets) }

// AssetsOptions are the inputs of `onboard assets list`.
type AssetsOptions struct {
	f           *Factory
	Account     string
	Kind        string
	Region      string
	IncludeGone bool
	Format      string
}

// assetFormats are the output formats of `onboard assets list`.
var assetFormats = []string{"table", "json", "csv"}

func newCmdAssets(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assets",
		Short: "The local inventory of onboarded accounts' assets",
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
			if !c.Flags().Changed("output") && f.JSON() {
				opts.Format = "json"
			}
			return assetsListRun(c.Context(), opts)
		},
	}
	fl := list.Flags()
	fl.StringVar(&opts.Account, "account", "", "only this onboarded account")
	fl.StringVar(&opts.Kind, "kind", "", "only this kind")
	fl.StringVar(&opts.Region, "region", "", "only this region")
	fl.BoolVar(&opts.IncludeGone, "include-gone", false, "also list assets marked gone")
	fl.StringVarP(&opts.Format, "output", "o", "table", "output format: table, json or csv")
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
	if !slices.Contains(assetFormats, opts.Format) {
		return Usagef("invalid --output %q: valid values are %s", opts.Format, strings.Join(assetFormats, ", "))
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
	filter := store.AssetFilter{Account: opts.Account, Kind: opts.Kind, Region: opts.Region, IncludeGone: opts.IncludeGone}
	out := opts.f.IO.Out
	switch opts.Format {
	case "json":
		return writeAssetsJSON(ctx, db, filter, out)
	case "csv":
		return writeAssetsCSV(ctx, db, filter, out)
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tKIND\tREGION\tID\tNAME\tLAST SEEN\tGONE")
	n := 0
	err = db.EachAsset(ctx, filter, func(account string, a store.Asset) error {
		n++
		v := viewOfAsset(account, a)
		_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", terminalSafe(v.Account), v.Kind, dash(terminalSafe(v.Region)), terminalSafe(v.ID), terminalSafe(v.Name), v.LastSeen, dash(v.GoneAt))
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
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

// writeAssetsJSON streams a JSON array, one asset at a time, so a large inventory is never held whole.
func writeAssetsJSON(ctx context.Context, db *store.DB, filter store.AssetFilter, out io.Writer) error {
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
		_, err = io.WriteString(out, sep+string(data))
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, "\n]\n")
	return err
}

func writeAssetsCSV(ctx context.Context, db *store.DB, filter store.AssetFilter, out io.Writer) error {
	w := csv.NewWriter(out)
	w.Write([]string{"account", "kind", "region", "id", "name", "first_seen", "last_seen", "gone_at"})
	err := db.EachAsset(ctx, filter, func(account string, a store.Asset) error {
		v := viewOfAsset(account, a)
		return w.Write([]string{v.Account, v.Kind, v.Region, v.ID, v.Name, v.FirstSeen, v.LastSeen, v.GoneAt})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}
