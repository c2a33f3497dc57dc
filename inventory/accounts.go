package inventory

import (
	"context"
	"sync"

	"onboard/tencent"
)

// Several accounts are synced side by side: each with its own Sync, so each keeps its own rate lanes
// (Tencent's limits are per account and action), and all of them under one cap of requests in flight,
// which bounds the memory and connections the process uses whatever the number of accounts.

// AccountsMemoryLimit is the soft memory limit of a sync of several accounts at once, in place of
// MemoryLimit. Each account in flight holds its pages until the one store writer takes them, so the
// live heap outgrows MemoryLimit, and under it the collector would run without pause and take the CPU
// the store writer needs. It stays below the 200 MB BenchmarkSync/accounts holds the process to.
const AccountsMemoryLimit = 160 << 20

// AccountsOptions say how the syncs of several accounts share the process.
type AccountsOptions struct {
	// Concurrency caps the requests in flight over every account; 0 gives DefaultConcurrency per account
	// synced at once, so that each account can use its whole quota.
	Concurrency int
	// Accounts caps the accounts synced at once; 0 syncs every account at once.
	Accounts int
}

// SyncAccounts runs syncOne for the accounts 0..n-1, at most opts.Accounts at once, and returns each one's
// error by index. One account's failure never stops the others; a cancelled context stops those not yet
// started, whose error is then the context's. syncOne must send its account's calls through the Cloud
// that gate returns, which enforces opts.Concurrency over every account, and give Sync the Concurrency
// it is passed: the account's share of it.
func SyncAccounts(ctx context.Context, n int, opts AccountsOptions,
	syncOne func(ctx context.Context, i int, gate func(Cloud) Cloud, concurrency int) error) []error {
	inFlight := opts.Accounts
	if inFlight <= 0 || inFlight > n {
		inFlight = n
	}
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = DefaultConcurrency * max(inFlight, 1)
	}
	g := NewGate(concurrency)
	// Each account's own cap is its share of the global one, and at least the default: a page in flight
	// holds its rows until the one store writer takes them, so a cap far above what an account's rate
	// limits can use only holds memory.
	perAccount := min(concurrency, max(DefaultConcurrency, (concurrency+inFlight-1)/max(inFlight, 1)))
	errs := make([]error, n)
	accounts := make(chan struct{}, max(inFlight, 1))
	var wg sync.WaitGroup
	for i := range n {
		select {
		case accounts <- struct{}{}:
		case <-ctx.Done():
		}
		// Both may be ready at once; a cancelled run starts nothing more either way.
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-accounts }()
			errs[i] = syncOne(ctx, i, g.Cloud, perAccount)
		}()
	}
	wg.Wait()
	return errs
}

// Gate caps the requests in flight over several Clouds.
type Gate struct{ slots chan struct{} }

// NewGate returns a gate of n slots.
func NewGate(n int) *Gate { return &Gate{slots: make(chan struct{}, max(n, 1))} }

// Cloud returns c whose every call first waits for one of the gate's slots, and frees it on return.
func (g *Gate) Cloud(c Cloud) Cloud { return gatedCloud{c: c, g: g} }

func (g *Gate) enter(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *Gate) leave() { <-g.slots }

// gatedCloud is a Cloud whose calls pass through a Gate.
type gatedCloud struct {
	c Cloud
	g *Gate
}

func gated[T any](ctx context.Context, g *Gate, call func() (T, error)) (T, error) {
	if err := g.enter(ctx); err != nil {
		var zero T
		return zero, err
	}
	defer g.leave()
	return call()
}

func (gc gatedCloud) Regions(ctx context.Context, product string) ([]tencent.Region, error) {
	return gated(ctx, gc.g, func() ([]tencent.Region, error) { return gc.c.Regions(ctx, product) })
}

func (gc gatedCloud) ListCVMInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.CVMInstance], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.CVMInstance], error) {
		return gc.c.ListCVMInstances(ctx, region, offset, limit)
	})
}

func (gc gatedCloud) ListLighthouseInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.LighthouseInstance], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.LighthouseInstance], error) {
		return gc.c.ListLighthouseInstances(ctx, region, offset, limit)
	})
}

func (gc gatedCloud) ListVPCs(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.Resource], error) { return gc.c.ListVPCs(ctx, region, offset, limit) })
}

func (gc gatedCloud) ListSubnets(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.Resource], error) { return gc.c.ListSubnets(ctx, region, offset, limit) })
}

func (gc gatedCloud) ListSecurityGroups(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.Resource], error) {
		return gc.c.ListSecurityGroups(ctx, region, offset, limit)
	})
}

func (gc gatedCloud) ListDisks(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.Resource], error) { return gc.c.ListDisks(ctx, region, offset, limit) })
}

func (gc gatedCloud) ListLoadBalancers(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.Resource], error) {
		return gc.c.ListLoadBalancers(ctx, region, offset, limit)
	})
}

func (gc gatedCloud) ListDBInstances(ctx context.Context, region string, offset, limit int) (tencent.Page[tencent.Resource], error) {
	return gated(ctx, gc.g, func() (tencent.Page[tencent.Resource], error) {
		return gc.c.ListDBInstances(ctx, region, offset, limit)
	})
}

func (gc gatedCloud) ListUsers(ctx context.Context) ([]tencent.User, error) {
	return gated(ctx, gc.g, func() ([]tencent.User, error) { return gc.c.ListUsers(ctx) })
}
