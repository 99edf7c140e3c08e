package audit_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
)

// The server's side of the trail: build the record, redact it, marshal it, chain it.
func Example() {
	var trail []audit.Stored
	var head [32]byte
	for i, user := range []string{"Bob", "Carol", "Dave"} {
		e := audit.Event{
			EventVersion:       audit.EventVersion,
			UserIdentity:       audit.UserIdentity{Type: "IAMUser", UserName: "Alice", AccountID: "123456789012"},
			EventTime:          time.Date(2024, 5, 1, 12, 0, i, 0, time.UTC),
			EventSource:        "iam.amazonaws.com",
			EventName:          "CreateAccessKey",
			AWSRegion:          "us-east-1",
			RequestParameters:  audit.Redact(json.RawMessage(fmt.Sprintf(`{"userName":%q}`, user))),
			ResponseElements:   audit.Redact(json.RawMessage(`{"accessKey":{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":"wJalr"}}`)),
			EventType:          audit.EventTypeAPICall,
			ManagementEvent:    true,
			RecipientAccountID: "123456789012",
			EventCategory:      audit.EventCategoryManagement,
		}
		rec, err := json.Marshal(e)
		if err != nil {
			panic(err)
		}
		head = audit.Link(head, rec)
		trail = append(trail, audit.Stored{Seq: audit.FirstSeq + int64(i), Record: rec, Hash: head})
	}
	fmt.Printf("%s\n", audit.Redact(json.RawMessage(`{"accessKey":{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":"wJalr"}}`)))
	fmt.Println("clean:", audit.Verify(trail, &head))

	trail[1].Record = []byte(`{"eventName":"Nothing to see"}`)
	err := audit.Verify(trail, &head)
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		fmt.Println(ce.Kind, ce.Seq)
	}
	fmt.Println("tail cut:", audit.Verify(trail[:1], &head))
	// Output:
	// {"accessKey":{"accessKeyId":"AKIAEXAMPLE"}}
	// clean: <nil>
	// edited 2
	// tail cut: audit trail: record 2 truncated: trail ends at d4987fb61b0d, expected head 067d4ce0554a
}
