package seed

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	_ "embed" // the precomputed rows
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/managed"
	"github.com/iamd-dev/iamd/internal/store"
)

// rows.bin.gz holds the stored form of every embedded AWS managed policy (what entity makes
// of managed.Load's policies), so that a first start writes them without decoding 13 MB of
// JSON and encoding it again. `go test ./internal/managed/seed -run TestEmbeddedRows -update`
// rewrites it; TestEmbeddedRows fails when it no longer matches package managed's data.
//
//go:embed rows.bin.gz
var embeddedRows []byte

// rowsMagic starts the uncompressed rows; the data version and a newline follow it, then the
// number of rows and the rows (see writeRow).
const rowsMagic = "iamd managed policy rows 1\n"

// encodeRows writes the rows format: gzip of magic, version, count and rows.
func encodeRows(w io.Writer, version string, es []*store.Entity) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	b := []byte(rowsMagic + version + "\n")
	b = binary.AppendUvarint(b, uint64(len(es)))
	for _, e := range es {
		b = writeRow(b, e)
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	return zw.Close()
}

// writeRow appends name, ID, path and data (each length-prefixed) and the creation time
// (Unix nanoseconds) of a policy entity.
func writeRow(b []byte, e *store.Entity) []byte {
	for _, s := range []string{e.Name, e.ID, e.Path} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, e.Created.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(e.Data)))
	return append(b, e.Data...)
}

// rowReader reads the rows format.
type rowReader struct {
	r       *bufio.Reader
	version string
	left    uint64
}

func openRows(gz []byte) (*rowReader, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("managed policy rows: %w", err)
	}
	r := bufio.NewReaderSize(zr, 64<<10)
	magic := make([]byte, len(rowsMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != rowsMagic {
		return nil, fmt.Errorf("managed policy rows: not in the rows format (%v)", err)
	}
	version, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("managed policy rows: version: %w", err)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("managed policy rows: count: %w", err)
	}
	return &rowReader{r: r, version: strings.TrimSuffix(version, "\n"), left: n}, nil
}

// next returns the next row, or io.EOF after the last.
func (rr *rowReader) next() (*store.Entity, error) {
	if rr.left == 0 {
		return nil, io.EOF
	}
	rr.left--
	var f [3]string
	for i := range f {
		b, err := rr.bytes()
		if err != nil {
			return nil, err
		}
		f[i] = string(b)
	}
	created, err := binary.ReadVarint(rr.r)
	if err != nil {
		return nil, fmt.Errorf("managed policy rows: %w", noEOF(err))
	}
	data, err := rr.bytes()
	if err != nil {
		return nil, err
	}
	return &store.Entity{Account: Account, Kind: store.KindPolicy, Name: f[0], ID: f[1], Path: f[2],
		Created: time.Unix(0, created).UTC(), Data: data}, nil
}

func (rr *rowReader) bytes() ([]byte, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return nil, fmt.Errorf("managed policy rows: %w", noEOF(err))
	}
	if n > 1<<26 {
		return nil, fmt.Errorf("managed policy rows: a field of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rr.r, b); err != nil {
		return nil, fmt.Errorf("managed policy rows: %w", noEOF(err))
	}
	return b, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// A source streams the entities of a policy set to the transaction that stores them: a
// goroutine decodes while the store writes. It is consumed at most once per Ensure, but the
// store may run its transaction closure again, so each stores what it has read.
type source struct {
	items chan sourceItem
	read  []*store.Entity
	err   error
	done  bool
}

type sourceItem struct {
	e   *store.Entity
	err error
}

// startSource runs produce in a goroutine until it returns or ctx ends.
func startSource(ctx context.Context, produce func(yield func(*store.Entity) bool) error) *source {
	s := &source{items: make(chan sourceItem, 64)}
	go func() {
		defer close(s.items)
		err := produce(func(e *store.Entity) bool {
			select {
			case s.items <- sourceItem{e: e}:
				return true
			case <-ctx.Done():
				return false
			}
		})
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			select {
			case s.items <- sourceItem{err: err}:
			case <-ctx.Done():
			}
		}
	}()
	return s
}

// each calls fn with every entity: those read by an earlier call first, then the rest.
func (s *source) each(fn func(*store.Entity) error) error {
	for _, e := range s.read {
		if err := fn(e); err != nil {
			return err
		}
	}
	for !s.done {
		it, ok := <-s.items
		switch {
		case !ok:
			s.done = true
		case it.err != nil:
			s.done, s.err = true, it.err
		default:
			s.read = append(s.read, it.e)
			if err := fn(it.e); err != nil {
				return err
			}
		}
	}
	return s.err
}

// embeddedSource streams the precomputed rows, or returns nil when they are not of version
// (then the caller decodes package managed's data).
func embeddedSource(ctx context.Context, version string) *source {
	rr, err := openRows(embeddedRows)
	if err != nil || rr.version != version {
		return nil
	}
	return startSource(ctx, func(yield func(*store.Entity) bool) error {
		for {
			e, err := rr.next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if !yield(e) {
				return nil
			}
		}
	})
}

// loadSource decodes policies with load and converts them.
func loadSource(ctx context.Context, load func() ([]managed.Policy, error)) *source {
	return startSource(ctx, func(yield func(*store.Entity) bool) error {
		ps, err := load()
		if err != nil {
			return err
		}
		for i := range ps {
			e, err := entity(&ps[i])
			if err != nil {
				return err
			}
			if !yield(e) {
				return nil
			}
		}
		return nil
	})
}
