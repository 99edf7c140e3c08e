package stssvc

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// checkParamsCopy checks that params, a record's parameters built by name, has every exported
// member of input (the SDK input it was built from) with the same type and the same value.
func checkParamsCopy(t *testing.T, name string, input, params any) {
	t.Helper()
	iv, gv := reflect.ValueOf(input).Elem(), reflect.ValueOf(params).Elem()
	for i := range iv.NumField() {
		f := iv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		g, ok := gv.Type().FieldByName(f.Name)
		if !ok || g.Type != f.Type {
			t.Errorf("%s.%s: %v (present %v), want %v", gv.Type().Name(), f.Name, g.Type, ok, f.Type)
			continue
		}
		if d := cmp.Diff(iv.Field(i).Interface(), gv.FieldByName(f.Name).Interface(), cmpopts.IgnoreUnexported(types.PolicyDescriptorType{})); d != "" {
			t.Errorf("%s: %s (-input +params):\n%s", name, f.Name, d)
		}
	}
}
