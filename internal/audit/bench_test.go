package audit

import (
	"encoding/json"
	"testing"
)

func BenchmarkMarshalEvent(b *testing.B) {
	for _, bb := range []struct {
		name string
		e    Event
	}{
		{"CreateUser", createUserEvent()},
		{"AssumeRole", assumeRoleEvent()},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(bb.e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLink(b *testing.B) {
	rec, err := json.Marshal(createUserEvent())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	var h [32]byte
	for b.Loop() {
		h = Link(h, rec)
	}
}

func BenchmarkRedact(b *testing.B) {
	for _, bb := range []struct{ name, in string }{
		{"clean", `{"roleArn":"arn:aws:iam::111111111111:role/JohnRole2","roleSessionName":"Role2WithTags","tags":[{"key":"Email","value":"johndoe@example.com"}],"durationSeconds":3600}`},
		{"secrets", `{"credentials":{"accessKeyId":"ASIAWHOJDLGPOEXAMPLE","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","sessionToken":"AgoJb3JpZ2luX2VjEXAMPLETOKEN","expiration":"2019-10-02T23:12:29Z"},"assumedRoleUser":{"assumedRoleId":"AROAIFR7WHDTSOYQYHFUE:Role2WithTags","arn":"arn:aws:sts::111111111111:assumed-role/test-role/Role2WithTags"}}`},
	} {
		in := json.RawMessage(bb.in)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				Redact(in)
			}
		})
	}
}

// BenchmarkAppendString writes the strings of a GetUser record (ARN, user agent, IDs).
func BenchmarkAppendString(b *testing.B) {
	strs := []string{"arn:aws:iam::123456789012:user/load-caller", "aws-sdk-go-v2/1.39.2 os/linux lang/go#1.26 api/iam#1.64.9 m/E",
		"6b1c4a0e-8f1e-4c1e-9d7a-0a1b2c3d4e5f", "iam.amazonaws.com", "GetUser", "us-east-1", "127.0.0.1", "AKIAEXAMPLEEXAMPLE01"}
	buf := make([]byte, 0, 512)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range strs {
			buf = AppendString(buf, s)
		}
	}
}
