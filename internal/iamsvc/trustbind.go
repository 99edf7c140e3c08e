package iamsvc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// Role trust policies name IAM users and roles by ARN, and AWS binds each such name to the
// principal's unique ID when the policy is saved (IAM User Guide, "AWS JSON policy elements:
// Principal"): a principal that does not exist is refused, a deleted principal shows as its
// unique ID, and a re-created namesake is not trusted. iamd keeps the submitted text and gets the
// same effects by checking the names when a trust policy is stored and by rewriting them when a
// user or role is deleted or a user renamed, each in the transaction of that change.

// principalLiteral is one AWS principal value of a policy document: the value and the byte
// range of its JSON string literal (quotes included) in the text.
type principalLiteral struct {
	value      string
	start, end int
}

// awsPrincipals returns the values of the AWS members of every Principal and NotPrincipal
// element of a policy document, in document order. The document must be valid JSON (callers
// pass documents the policy parser accepted).
func awsPrincipals(text string) ([]principalLiteral, error) {
	w := &principalWalker{text: text, dec: json.NewDecoder(strings.NewReader(text))}
	w.dec.UseNumber()
	if err := w.document(); err != nil {
		return nil, fmt.Errorf("read principals: %w", err)
	}
	return w.out, nil
}

// principalWalker reads a policy document token by token, noting the AWS principal literals.
type principalWalker struct {
	text string
	dec  *json.Decoder
	out  []principalLiteral
}

var errNotPolicy = errors.New("not a policy document")

func (w *principalWalker) document() error {
	return w.object(func(key string) error {
		if key != "Statement" {
			return w.skipValue()
		}
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			return w.objectBody(w.statementMember)
		case json.Delim('['):
			for w.dec.More() {
				if err := w.object(w.statementMember); err != nil {
					return err
				}
			}
			_, err = w.dec.Token() // ']'
			return err
		}
		return errNotPolicy
	})
}

func (w *principalWalker) statementMember(key string) error {
	if key != "Principal" && key != "NotPrincipal" {
		return w.skipValue()
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return w.skip(tok) // "*"
	}
	return w.objectBody(func(typ string) error {
		if typ != "AWS" {
			return w.skipValue()
		}
		return w.literals()
	})
}

// literals reads a string or an array of strings, noting each string's position.
func (w *principalWalker) literals() error {
	off := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if s, ok := tok.(string); ok {
		w.note(s, off)
		return nil
	}
	if tok != json.Delim('[') {
		return w.skip(tok)
	}
	for w.dec.More() {
		off := w.dec.InputOffset()
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		if s, ok := tok.(string); ok {
			w.note(s, off)
		} else if err := w.skip(tok); err != nil {
			return err
		}
	}
	_, err = w.dec.Token() // ']'
	return err
}

// note records string literal s, which the decoder just read; off is where the decoder stood
// before it, so only white space, ':' or ',' lie between off and the opening quote.
func (w *principalWalker) note(s string, off int64) {
	end := int(w.dec.InputOffset())
	start := int(off) + strings.IndexByte(w.text[off:end], '"')
	w.out = append(w.out, principalLiteral{value: s, start: start, end: end})
}

// object reads an object, calling member for each key with the decoder before its value.
func (w *principalWalker) object(member func(key string) error) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return errNotPolicy
	}
	return w.objectBody(member)
}

// objectBody is object after its opening brace.
func (w *principalWalker) objectBody(member func(key string) error) error {
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errNotPolicy
		}
		if err := member(key); err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // '}'
	return err
}

func (w *principalWalker) skipValue() error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	return w.skip(tok)
}

// skip skips the rest of the value that starts with tok.
func (w *principalWalker) skip(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := w.dec.Token()
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		} else if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// invalidPrincipal is the error AWS returns for a trust policy principal it cannot resolve.
func invalidPrincipal(typ, value string) error {
	return iam.Errorf(iam.CodeMalformedPolicyDocument, "Invalid principal in policy: %q:%q", typ, value)
}

// entityARN splits the ARN of an IAM user or role: its account, kind and name.
func entityARN(s string) (acct string, kind store.Kind, name string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "", "", "", false
	}
	switch res := parts[5]; {
	case strings.HasPrefix(res, "user/"):
		kind = store.KindUser
	case strings.HasPrefix(res, "role/"):
		kind = store.KindRole
	default:
		return "", "", "", false
	}
	return parts[4], kind, parts[5][strings.LastIndexByte(parts[5], '/')+1:], true
}

// checkTrustPrincipals checks the AWS principals of a trust policy the parser accepted against
// the store, as AWS does when it saves the policy: the ARN of a user or role in an account iamd
// hosts must be that of an existing user or role, exactly as GetUser or GetRole shows it; a
// unique ID, which AWS shows for a deleted principal but does not accept back, is refused. An
// account iamd does not host cannot be checked, so its principals are accepted. Account IDs,
// root and session ARNs and "*" are not checked.
func checkTrustPrincipals(ctx context.Context, r store.Reader, doc string) error {
	refs, err := awsPrincipals(doc)
	if err != nil {
		return err
	}
	hosted := map[string]bool{}
	for _, p := range refs {
		v := p.value
		if v != "*" && !strings.HasPrefix(v, "arn:") && !arn.IsAccountID(v) {
			return invalidPrincipal("AWS", v)
		}
		acct, kind, name, ok := entityARN(v)
		if !ok {
			continue
		}
		h, seen := hosted[acct]
		if !seen {
			_, err := r.Get(ctx, acct, store.KindAccount, acct)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			h = err == nil
			hosted[acct] = h
		}
		if !h {
			continue
		}
		e, err := r.Get(ctx, acct, kind, name)
		if errors.Is(err, store.ErrNotFound) {
			return invalidPrincipal("AWS", v)
		} else if err != nil {
			return err
		}
		if canonicalARN(e) != v {
			return invalidPrincipal("AWS", v)
		}
	}
	return nil
}

// canonicalARN is the ARN of a stored user or role.
func canonicalARN(e *store.Entity) string {
	if e.Kind == store.KindRole {
		return iam.RoleARN(e.Account, e.Path, e.Name)
	}
	return iam.UserARN(e.Account, e.Path, e.Name)
}

// rebindPrincipal rewrites, in every role trust policy of the account, each AWS principal that
// names oldARN (ignoring case) to replacement: the unique ID of a deleted user or role, or the new
// ARN of a renamed user. The rest of each document is kept byte for byte. Roles in other accounts
// are not rewritten (the store cannot list accounts; iamd creates one).
func rebindPrincipal(ctx context.Context, tx store.Tx, acct, oldARN, replacement string) error {
	name := strings.ToLower(oldARN[strings.LastIndexByte(oldARN, '/')+1:])
	roles, _, err := tx.List(ctx, acct, store.KindRole, store.Page{})
	if err != nil {
		return err
	}
	for _, e := range roles {
		r, err := decode[iam.Role](e)
		if err != nil {
			return err
		}
		// A document without escapes names the principal only if it contains its name.
		if !strings.Contains(r.TrustPolicy, `\`) && !strings.Contains(strings.ToLower(r.TrustPolicy), name) {
			continue
		}
		text, changed, err := replacePrincipals(r.TrustPolicy, func(v string) bool { return strings.EqualFold(v, oldARN) }, replacement)
		if err != nil {
			return fmt.Errorf("trust policy of role %s: %w", r.Name, err)
		}
		if !changed {
			continue
		}
		r.TrustPolicy = text
		if err := save(ctx, tx, e, r); err != nil {
			return err
		}
	}
	return nil
}

// replacePrincipals replaces each AWS principal of doc for which match holds with replacement.
func replacePrincipals(doc string, match func(string) bool, replacement string) (string, bool, error) {
	refs, err := awsPrincipals(doc)
	if err != nil {
		return "", false, err
	}
	lit, err := jsonString(replacement)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	last := 0
	for _, p := range refs {
		if !match(p.value) {
			continue
		}
		b.WriteString(doc[last:p.start])
		b.WriteString(lit)
		last = p.end
	}
	if last == 0 {
		return doc, false, nil
	}
	b.WriteString(doc[last:])
	return b.String(), true, nil
}

// jsonString is s as a JSON string literal, without HTML escaping (an IAM path may hold '&').
func jsonString(s string) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
