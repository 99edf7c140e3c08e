package policy_test

import (
	"fmt"

	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// A user's identity-based policy allows reading one bucket; a second policy denies deleting it.
// Evaluate returns the decision and the statement that decided it; Reason gives the clause of
// AWS's AccessDenied message.
func ExampleEvaluate() {
	identity := &policy.Document{
		Version: "2012-10-17",
		Statements: []policy.Statement{{
			Sid:      "ReadReports",
			Effect:   policy.Allow,
			Action:   []string{"s3:Get*", "s3:List*"},
			Resource: []string{"arn:aws:s3:::reports", "arn:aws:s3:::reports/*"},
		}, {
			Index:    1,
			Sid:      "OwnFolder",
			Effect:   policy.Allow,
			Action:   []string{"s3:*"},
			Resource: []string{"arn:aws:s3:::reports/home/${aws:username}/*"},
		}},
	}
	guard := &policy.Document{
		Version: "2012-10-17",
		Statements: []policy.Statement{{
			Sid:      "NoDelete",
			Effect:   policy.Deny,
			Action:   []string{"s3:DeleteObject"},
			Resource: []string{"*"},
			Conditions: []policy.Condition{
				{Operator: "BoolIfExists", Key: "aws:MultiFactorAuthPresent", Values: []string{"false"}},
			},
		}},
	}
	readPolicy, err := policy.Compile(identity, policy.Identity, policy.PolicyRef{Name: "Reports"})
	if err != nil {
		panic(err)
	}
	guardPolicy, err := policy.Compile(guard, policy.Identity, policy.PolicyRef{Name: "Guard"})
	if err != nil {
		panic(err)
	}

	alice := policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"}
	ctx := condition.NewMap(map[string][]string{"aws:username": {"alice"}, "aws:MultiFactorAuthPresent": {"false"}})
	for _, req := range []struct{ action, resource string }{
		{"s3:GetObject", "arn:aws:s3:::reports/2024/q1.csv"},
		{"s3:PutObject", "arn:aws:s3:::reports/home/alice/draft.txt"},
		{"s3:PutObject", "arn:aws:s3:::reports/home/bob/draft.txt"},
		{"s3:DeleteObject", "arn:aws:s3:::reports/home/alice/draft.txt"},
	} {
		in := &policy.Input{
			Action: req.action, Resource: req.resource, Context: ctx, Principal: alice,
			Identity: []*policy.Compiled{readPolicy, guardPolicy},
		}
		d := policy.Evaluate(in)
		switch {
		case d.Allowed():
			fmt.Printf("%s %s: allowed by %s/%s\n", req.action, req.resource, d.By.Policy.Name, d.By.Sid)
		default:
			fmt.Printf("%s %s: %v, %s\n", req.action, req.resource, d.Effect, d.Reason(req.action))
		}
	}
	// Output:
	// s3:GetObject arn:aws:s3:::reports/2024/q1.csv: allowed by Reports/ReadReports
	// s3:PutObject arn:aws:s3:::reports/home/alice/draft.txt: allowed by Reports/OwnFolder
	// s3:PutObject arn:aws:s3:::reports/home/bob/draft.txt: ImplicitDeny, because no identity-based policy allows the s3:PutObject action
	// s3:DeleteObject arn:aws:s3:::reports/home/alice/draft.txt: ExplicitDeny, with an explicit deny in an identity-based policy
}

// Explain lists every statement that applied and the condition keys the request lacked.
func ExampleExplain() {
	doc := &policy.Document{
		Version: "2012-10-17",
		Statements: []policy.Statement{{
			Sid:      "TeamOnly",
			Effect:   policy.Allow,
			Action:   []string{"ec2:StartInstances"},
			Resource: []string{"*"},
			Conditions: []policy.Condition{
				{Operator: "StringEquals", Key: "aws:ResourceTag/team", Values: []string{"${aws:PrincipalTag/team}"}},
			},
		}},
	}
	c, err := policy.Compile(doc, policy.Identity, policy.PolicyRef{Name: "Team"})
	if err != nil {
		panic(err)
	}
	tr := policy.Explain(&policy.Input{
		Action:    "ec2:StartInstances",
		Resource:  "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc",
		Context:   condition.NewMap(map[string][]string{"aws:PrincipalTag/team": {"analytics"}}),
		Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		Identity:  []*policy.Compiled{c},
	})
	fmt.Println(tr.Decision.Effect, tr.NoAllow, tr.MissingKeys)
	// Output:
	// ImplicitDeny [Identity] [aws:resourcetag/team]
}
