package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The embedded data (data/catalog.bin.gz) is gzip over this layout; n is an unsigned varint
// (encoding/binary) and s is a varint index into the string table:
//
//	"IAMCAT1\n"
//	n strings; n length of each string; the strings' bytes, concatenated
//	s version
//	n totals: services, actions, resource refs, resource types, service keys, catalog keys,
//	  string-list entries (so the decoder allocates each backing array once)
//	n keys; (s name, s type) per key, sorted by lower-case name: the catalog-wide key table
//	n services, sorted by lower-case prefix; per service:
//	  s prefix, s name
//	  n actions, sorted by lower-case name; per action:
//	    s name, n access level (1 List … 5 Tagging)
//	    n refs; (s name, n required 0|1, list condition keys) per ref
//	    list condition keys, list dependent actions
//	  n resource types, sorted; (s name, s ARN format, list condition keys) per type
//	  n condition keys, sorted; (s name, s type) per key
//
// where list is n followed by n string indexes.
const magic = "IAMCAT1\n"

// maxSize bounds the buffer decode allocates up front (the data is about 1 MB).
const maxSize = 64 << 20

var errCorrupt = errors.New("catalog: corrupt data")

// decoder reads the layout above from one string, so that every name in the catalog is a
// substring of it and costs no allocation of its own.
type decoder struct {
	s     string
	pos   int
	table []string
	err   error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d", errCorrupt, what, d.pos)
	}
}

func (d *decoder) uint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if d.pos >= len(d.s) {
			d.fail("truncated")
			return 0
		}
		c := d.s[d.pos]
		d.pos++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.fail("varint overflow")
	return 0
}

// count reads a count that must not exceed max (what is left of a backing array).
func (d *decoder) count(max int) int {
	n := d.uint()
	if n > uint64(max) {
		d.fail("count out of range")
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	i := d.uint()
	if i >= uint64(len(d.table)) {
		d.fail("string index out of range")
		return ""
	}
	return d.table[i]
}

// strs carves a list of strings off the front of *pool.
func (d *decoder) strs(pool *[]string) []string {
	n := d.count(len(*pool))
	if n == 0 {
		return nil
	}
	list := (*pool)[:n:n]
	*pool = (*pool)[n:]
	for i := range list {
		list[i] = d.str()
	}
	return list
}

// decode parses gzip-compressed catalog data.
func decode(gz []byte) (*Catalog, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("catalog: gzip: %w", err)
	}
	var buf bytes.Buffer
	// gzip's trailer holds the uncompressed size (ISIZE); trust it only as a hint.
	if size := binary.LittleEndian.Uint32(gz[len(gz)-4:]); size <= maxSize {
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("catalog: gzip: %w", err)
	}
	return parse(buf.String())
}

// parse reads the uncompressed layout.
func parse(s string) (*Catalog, error) {
	if len(s) < len(magic) || s[:len(magic)] != magic {
		return nil, fmt.Errorf("%w: bad magic", errCorrupt)
	}
	d := &decoder{s: s, pos: len(magic)}
	nstr := d.count(len(s))
	lens := make([]int, nstr)
	total := 0
	for i := range lens {
		lens[i] = d.count(len(s))
		total += lens[i]
	}
	if d.err != nil || total > len(s)-d.pos {
		d.fail("string table")
		return nil, d.err
	}
	d.table = make([]string, nstr)
	for i, n := range lens {
		d.table[i] = s[d.pos : d.pos+n]
		d.pos += n
	}

	c := &Catalog{version: d.str()}
	var totals [7]int
	for i := range totals {
		totals[i] = d.count(len(s))
	}
	if d.err != nil {
		return nil, d.err
	}
	services := make([]Service, 0, totals[0])
	actions := make([]Action, totals[1])
	refs := make([]ResourceRef, totals[2])
	resTypes := make([]ResourceType, totals[3])
	svcKeys := make([]ConditionKey, totals[4])
	c.keys = make([]ConditionKey, d.count(totals[5]))
	pool := make([]string, totals[6])

	for i := range c.keys {
		c.keys[i] = ConditionKey{Name: d.str(), Type: d.str()}
	}
	nsvc := d.count(totals[0])
	for range nsvc {
		if d.err != nil {
			break
		}
		svc := Service{Prefix: d.str(), Name: d.str()}
		n := d.count(len(actions))
		svc.Actions, actions = actions[:n:n], actions[n:]
		for i := range svc.Actions {
			a := &svc.Actions[i]
			a.Service, a.Name = svc.Prefix, d.str()
			a.AccessLevel = AccessLevel(d.uint())
			if a.AccessLevel < List || a.AccessLevel > Tagging {
				d.fail("access level")
			}
			n := d.count(len(refs))
			if n > 0 {
				a.ResourceTypes, refs = refs[:n:n], refs[n:]
			}
			for j := range a.ResourceTypes {
				r := &a.ResourceTypes[j]
				r.Name = d.str()
				r.Required = d.uint() == 1
				r.ConditionKeys = d.strs(&pool)
			}
			a.ConditionKeys = d.strs(&pool)
			a.DependentActions = d.strs(&pool)
		}
		n = d.count(len(resTypes))
		svc.ResourceTypes, resTypes = resTypes[:n:n], resTypes[n:]
		for i := range svc.ResourceTypes {
			r := &svc.ResourceTypes[i]
			r.Service, r.Name, r.ARNFormat = svc.Prefix, d.str(), d.str()
			r.ConditionKeys = d.strs(&pool)
		}
		n = d.count(len(svcKeys))
		svc.ConditionKeys, svcKeys = svcKeys[:n:n], svcKeys[n:]
		for i := range svc.ConditionKeys {
			svc.ConditionKeys[i] = ConditionKey{Name: d.str(), Type: d.str()}
		}
		if !sortedFold(len(svc.Actions), func(i int) string { return svc.Actions[i].Name }) ||
			!sortedFold(len(svc.ResourceTypes), func(i int) string { return svc.ResourceTypes[i].Name }) ||
			!sortedFold(len(svc.ConditionKeys), func(i int) string { return svc.ConditionKeys[i].Name }) {
			d.fail("service " + svc.Prefix + " not sorted")
		}
		services = append(services, svc)
	}
	if d.err == nil && d.pos != len(s) {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	c.services = services
	if !sortedFold(len(c.services), func(i int) string { return c.services[i].Prefix }) ||
		!sortedFold(len(c.keys), func(i int) string { return c.keys[i].Name }) {
		return nil, fmt.Errorf("%w: services or keys not sorted", errCorrupt)
	}
	c.templates = templates(c.keys)
	return c, nil
}

// sortedFold reports whether the n names are strictly increasing, ignoring ASCII case.
func sortedFold(n int, name func(int) string) bool {
	for i := 1; i < n; i++ {
		if compareFold(name(i-1), name(i)) >= 0 {
			return false
		}
	}
	return true
}
