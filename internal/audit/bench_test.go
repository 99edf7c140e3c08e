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
