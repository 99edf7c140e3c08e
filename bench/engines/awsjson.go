package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The peers that do not read AWS policy JSON (cedar-go, OPA) get policies translated from the
// same text. This file holds the small AWS JSON reader the translators share; it accepts the
// subset the workloads use and rejects everything else, so a translation is never silently
// wrong.

type awsDoc struct {
	Version   string
	Statement []awsStatement
}

type awsStatement struct {
	Effect    string
	Action    strList
	Resource  strList
	Condition map[string]map[string]strList
}

// awsCond is one (operator, key) pair of a Condition block.
type awsCond struct {
	Op, Key string
	Values  []string
}

// strList is a JSON string or array of strings; booleans and numbers become their text.
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		out := make([]string, len(raw))
		for i, r := range raw {
			s, err := scalar(r)
			if err != nil {
				return err
			}
			out[i] = s
		}
		*l = out
		return nil
	}
	s, err := scalar(b)
	if err != nil {
		return err
	}
	*l = []string{s}
	return nil
}

func scalar(b []byte) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	switch v.(type) {
	case bool, float64:
		return string(b), nil
	}
	return "", fmt.Errorf("unsupported JSON value %s", b)
}

func parseAWS(text string) (*awsDoc, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var d awsDoc
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("parse policy: %w", err)
	}
	for i, s := range d.Statement {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, fmt.Errorf("statement %d: effect %q", i, s.Effect)
		}
		if len(s.Action) == 0 || len(s.Resource) == 0 {
			return nil, fmt.Errorf("statement %d: the workloads always name Action and Resource", i)
		}
	}
	return &d, nil
}

// conditions returns the statement's conditions sorted by operator and key.
func (s *awsStatement) conditions() []awsCond {
	var out []awsCond
	for op, keys := range s.Condition {
		for k, v := range keys {
			out = append(out, awsCond{Op: op, Key: k, Values: v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Op != out[j].Op {
			return out[i].Op < out[j].Op
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// globMatch matches s against an IAM wildcard pattern: '*' is any run of characters, '?' any
// one character. The translators use it to precompute Cedar action groups.
func globMatch(pat, s string) bool {
	for len(pat) > 0 {
		switch pat[0] {
		case '*':
			pat = pat[1:]
			if pat == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if globMatch(pat, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pat, s = pat[1:], s[1:]
		default:
			if s == "" || s[0] != pat[0] {
				return false
			}
			pat, s = pat[1:], s[1:]
		}
	}
	return s == ""
}
