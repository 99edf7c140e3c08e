package seed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/managed"
	"github.com/iamd-dev/iamd/internal/store"
)

// Account is the account AWS managed policies live in (arn:aws:iam::aws:policy/...).
const Account = "aws"

// SettingName is the store.KindSetting entity, in Account, whose data is the data version of
// the stored policies.
const SettingName = "managed-policies-version"

// Result says what Ensure did.
type Result struct {
	// Stored is the data version found in the store ("" for none); Version the embedded one.
	Stored, Version string
	// Loaded is the number of policies written (0 when the stored set was current).
	Loaded int
}

// Ensure loads the embedded AWS managed policies into st unless the stored set is from the
// same or a newer data version. now dates the version setting.
func Ensure(ctx context.Context, st store.Store, now time.Time) (Result, error) {
	version := managed.Version()
	return ensure(ctx, st, now, version, func(ctx context.Context) *source {
		if s := embeddedSource(ctx, version); s != nil {
			return s
		}
		return loadSource(ctx, managed.Load)
	})
}

// bulkUpdater is a store that can commit a large transaction without checkpointing on the way
// (sqlite.DB): the first start then does not wait for 13 MB to be copied a second time.
type bulkUpdater interface {
	BulkUpdate(ctx context.Context, fn func(tx store.Tx) error, done chan<- error) error
}

func ensure(ctx context.Context, st store.Store, now time.Time, version string, open func(ctx context.Context) *source) (Result, error) {
	res := Result{Version: version}
	err := st.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, Account, store.KindSetting, SettingName)
		if err != nil {
			return err
		}
		res.Stored = string(e.Data)
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return res, fmt.Errorf("managed policies: read %s: %w", SettingName, err)
	}
	if res.Stored != "" && !older(res.Stored, version) {
		return res, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the decoder when the transaction fails
	src := open(ctx)
	loaded := 0
	update := st.Update
	if b, ok := st.(bulkUpdater); ok {
		update = func(ctx context.Context, fn func(tx store.Tx) error) error { return b.BulkUpdate(ctx, fn, nil) }
	}
	err = update(ctx, func(tx store.Tx) error {
		loaded = 0
		err := src.each(func(e *store.Entity) error {
			loaded++
			return put(ctx, tx, e)
		})
		if err != nil {
			return err
		}
		return put(ctx, tx, &store.Entity{Account: Account, Kind: store.KindSetting, Name: SettingName, Created: now.UTC(), Data: []byte(version)})
	})
	if err != nil {
		return res, fmt.Errorf("managed policies: store version %s: %w", version, err)
	}
	res.Loaded = loaded
	return res, nil
}

// put creates the entity, or replaces the stored one's data (keeping its creation time).
func put(ctx context.Context, tx store.Tx, e *store.Entity) error {
	err := tx.Create(ctx, e)
	if errors.Is(err, store.ErrExists) {
		err = tx.Update(ctx, e)
	}
	return err
}

// entity is the stored form of an AWS managed policy: an iam.ManagedPolicy in Account.
func entity(p *managed.Policy) (*store.Entity, error) {
	mp := iam.ManagedPolicy{
		Name: p.Name, ID: p.ID, Path: p.Path, Created: p.Created, Updated: p.Updated, Description: p.Description,
		DefaultVersion: p.DefaultVersion, Versions: make([]iam.PolicyVersion, len(p.Versions)),
	}
	for i, v := range p.Versions {
		mp.Versions[i] = iam.PolicyVersion{ID: v.ID, Document: v.Document, Created: v.Created}
		if n, err := strconv.Atoi(strings.TrimPrefix(v.ID, "v")); err == nil && n >= mp.NextVersion {
			mp.NextVersion = n + 1
		}
	}
	data, err := json.Marshal(&mp)
	if err != nil {
		return nil, fmt.Errorf("managed policy %s: %w", p.Name, err)
	}
	return &store.Entity{Account: Account, Kind: store.KindPolicy, Name: p.Name, ID: p.ID, Path: p.Path, Created: p.Created, Data: data}, nil
}

// older reports whether data version a precedes b, comparing dot-separated numbers
// numerically ("0.0.99" < "0.0.100") and anything else as text.
func older(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		if aerr == nil && berr == nil {
			return an < bn
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}
