package condition

import "testing"

func TestSmoke(t *testing.T) {
	c, err := Compile("StringLike", "aws:username", []string{"al*"}, Options{Variables: true})
	if err != nil {
		t.Fatal(err)
	}
	if o := c.Eval(NewMap(map[string][]string{"AWS:UserName": {"alice"}})); !o.Match {
		t.Errorf("got %+v", o)
	}
	p, _ := CompileARN("arn:aws:s3:::b/${aws:username}/*", Options{Variables: true})
	if !p.Match("arn:aws:s3:::b/alice/x", NewMap(map[string][]string{"aws:username": {"alice"}})) {
		t.Error("pattern")
	}
}
