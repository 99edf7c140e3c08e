package condition_test

import (
	"fmt"

	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// A condition from a policy statement such as
//
//	"Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}
//
// is compiled once and evaluated against each request's context.
func ExampleCompile() {
	clause, err := condition.Compile("StringLike", "s3:prefix", []string{"home/${aws:username}/*"},
		condition.Options{Variables: true}) // policy Version "2012-10-17"
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, prefix := range []string{"home/alice/notes.txt", "home/bob/notes.txt"} {
		ctx := condition.NewMap(map[string][]string{
			"aws:username": {"alice"},
			"s3:prefix":    {prefix},
		})
		fmt.Printf("%s: %+v\n", prefix, clause.Eval(ctx))
	}
	// A missing key: StringLike does not match; the Missing flag records that it was absent.
	fmt.Printf("no prefix: %+v\n", clause.Eval(condition.NewMap(nil)))
	// Output:
	// home/alice/notes.txt: {Match:true Missing:false Invalid:false}
	// home/bob/notes.txt: {Match:false Missing:false Invalid:false}
	// no prefix: {Match:false Missing:true Invalid:false}
}

func ExampleCheckOperator() {
	fmt.Println(condition.CheckOperator("ForAllValues:StringNotEqualsIfExists"))
	fmt.Println(condition.CheckOperator("StringEqualz"))
	// Output:
	// <nil>
	// Syntax errors in policy.
}

func ExampleCompileARN() {
	p, _ := condition.CompileARN("arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*", condition.Options{Variables: true})
	ctx := condition.NewMap(map[string][]string{"aws:username": {"alice"}})
	fmt.Println(p.Match("arn:aws:s3:::amzn-s3-demo-bucket/alice/photo.jpg", ctx))
	fmt.Println(p.Match("arn:aws:s3:::amzn-s3-demo-bucket/bob/photo.jpg", ctx))
	fmt.Println(p.Prefix())
	// Output:
	// true
	// false
	// arn:aws:s3:::amzn-s3-demo-bucket/
}
