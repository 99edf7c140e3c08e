package polgen_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/iamd-dev/iamd/internal/polgen"
)

// benchCall is one kind of call the synthetic trail holds.
type benchCall struct {
	source, name string
	params       func(i int) map[string]any
	resources    func(i int) []map[string]string
}

var benchCalls = []benchCall{
	{"s3.amazonaws.com", "GetObject", func(i int) map[string]any {
		return map[string]any{"bucketName": "amzn-s3-demo-bucket", "Host": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com", "key": fmt.Sprintf("data/part-%05d.parquet", i%500)}
	}, func(i int) []map[string]string {
		return []map[string]string{{"type": "AWS::S3::Object", "ARN": fmt.Sprintf("arn:aws:s3:::amzn-s3-demo-bucket/data/part-%05d.parquet", i%500)},
			{"accountId": "111122223333", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::amzn-s3-demo-bucket"}}
	}},
	{"s3.amazonaws.com", "ListObjects", func(i int) map[string]any {
		return map[string]any{"bucketName": "amzn-s3-demo-bucket", "prefix": "data/", "list-type": "2", "Host": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com"}
	}, nil},
	{"ec2.amazonaws.com", "DescribeInstances", func(int) map[string]any {
		return map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:team", "valueSet": map[string]any{"items": []any{map[string]any{"value": "data"}}}}}}}
	}, nil},
	{"iam.amazonaws.com", "GetRole", func(i int) map[string]any { return map[string]any{"roleName": fmt.Sprintf("worker-%d", i%20)} }, nil},
	{"sts.amazonaws.com", "AssumeRole", func(i int) map[string]any {
		return map[string]any{"roleArn": fmt.Sprintf("arn:aws:iam::111122223333:role/worker-%d", i%20), "roleSessionName": fmt.Sprintf("job-%d", i), "durationSeconds": 3600}
	}, func(i int) []map[string]string {
		return []map[string]string{{"ARN": fmt.Sprintf("arn:aws:iam::111122223333:role/worker-%d", i%20), "accountId": "111122223333", "type": "AWS::IAM::Role"}}
	}},
	{"kms.amazonaws.com", "Decrypt", func(int) map[string]any {
		return map[string]any{"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": map[string]any{"aws:s3:arn": "arn:aws:s3:::amzn-s3-demo-bucket"}}
	}, func(int) []map[string]string {
		return []map[string]string{{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}
	}},
	{"lambda.amazonaws.com", "GetFunction20150331v2", func(i int) map[string]any { return map[string]any{"functionName": fmt.Sprintf("etl-%d", i%10)} }, nil},
	{"dynamodb.amazonaws.com", "DescribeTable", func(i int) map[string]any { return map[string]any{"tableName": fmt.Sprintf("jobs-%d", i%5)} }, nil},
	{"logs.amazonaws.com", "CreateLogStream", func(i int) map[string]any {
		return map[string]any{"logGroupName": "/aws/etl", "logStreamName": fmt.Sprintf("2024/05/01/[$LATEST]%032x", i)}
	}, nil},
	{"monitoring.amazonaws.com", "PutMetricData", func(int) map[string]any { return map[string]any{"namespace": "ETL"} }, nil},
}

// benchRecord is a CloudTrail record of about 1 KB like AWS writes: call i of principal p (of
// 8: four roles, four users).
func benchRecord(i, p int) []byte {
	c := benchCalls[i%len(benchCalls)]
	var id map[string]any
	if p < 4 {
		role := fmt.Sprintf("etl-role-%d", p)
		id = map[string]any{"type": "AssumedRole", "principalId": "AROAIDPPEZS35WEXAMPLE:job-" + fmt.Sprint(i),
			"arn": fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/%s/job-%d", role, i%97), "accountId": "111122223333", "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAIDPPEZS35WEXAMPLE",
				"arn": "arn:aws:iam::111122223333:role/" + role, "accountId": "111122223333", "userName": role},
				"attributes": map[string]any{"creationDate": "2024-05-01T00:00:00Z", "mfaAuthenticated": "false"}}}
	} else {
		user := fmt.Sprintf("analyst-%d", p)
		id = map[string]any{"type": "IAMUser", "principalId": "AIDACKCEVSQ6C2EXAMPLE", "arn": "arn:aws:iam::111122223333:user/" + user,
			"accountId": "111122223333", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": user}
	}
	r := map[string]any{
		"eventVersion": "1.09", "userIdentity": id,
		"eventTime":   fmt.Sprintf("2024-05-%02dT%02d:%02d:%02dZ", 1+i%28, i%24, i%60, (i/60)%60),
		"eventSource": c.source, "eventName": c.name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.17",
		"userAgent":         "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
		"requestParameters": c.params(i), "responseElements": nil,
		"additionalEventData": map[string]any{"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "Vb0ZvQHb5OjT6VQhJi6Q1mWnsO1mX7pVr9/Q/nZqkUeZQj3ZlU3tWQ=", "bytesTransferredOut": 18327},
		"requestID":           fmt.Sprintf("%016X", i), "eventID": fmt.Sprintf("%08x-1f2e-4a5b-9c8d-%012x", i, i),
		"readOnly": true, "eventType": "AwsApiCall", "managementEvent": c.source != "s3.amazonaws.com", "recipientAccountId": "111122223333",
		"eventCategory": "Management", "tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": c.source},
	}
	if c.resources != nil {
		r["resources"] = c.resources(i)
	}
	if i%50 == 7 {
		r["errorCode"], r["errorMessage"] = "AccessDenied", "User is not authorized to perform this operation"
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

// benchTrail returns n distinct records of 8 principals, interleaved.
func benchTrail(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = benchRecord(i/8, i%8)
	}
	return out
}

// benchGenerate feeds total records (cycling through pool) to one generator for principal and
// builds the policy.
func benchGenerate(b *testing.B, pool [][]byte, total int, principal string) {
	cat := testCatalog(b)
	size := 0
	for _, r := range pool {
		size += len(r)
	}
	b.SetBytes(int64(size / len(pool) * total))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		g, err := polgen.New(polgen.Options{Principal: principal, Catalog: cat, Lint: testLint(b)})
		if err != nil {
			b.Fatal(err)
		}
		for i := range total {
			if err := g.Add(pool[i%len(pool)]); err != nil {
				b.Fatal(err)
			}
		}
		res, err := g.Result()
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Matched == 0 {
			b.Fatal("no record matched")
		}
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkGenerate1M generates a role's policy from 10^6 CloudTrail records of about 1 KB (8
// principals, 10 services; the role has an eighth of them): the target is under 10 s.
// The records are 80,000 distinct ones, each fed 12.5 times.
func BenchmarkGenerate1M(b *testing.B) {
	benchGenerate(b, benchTrail(80_000), 1_000_000, "arn:aws:iam::111122223333:role/etl-role-1")
}

// BenchmarkGenerate1MOnePrincipal is the worst case: every one of the 10^6 records is the
// principal's, so every one is decoded.
func BenchmarkGenerate1MOnePrincipal(b *testing.B) {
	pool := make([][]byte, 80_000)
	for i := range pool {
		pool[i] = benchRecord(i, 1)
	}
	benchGenerate(b, pool, 1_000_000, "arn:aws:iam::111122223333:role/etl-role-1")
}
