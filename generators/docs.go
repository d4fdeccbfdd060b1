package generators

import (
	"reflect"
	"runtime"
	"strings"
)

// packageOf is the import path of the package that declares fn (a
// generator's Generate, a transformer's Transform): the registry names
// functions, and this finds their packages for the docs and the import
// rules without a second list.
func packageOf(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return ""
	}
	name := runtime.FuncForPC(v.Pointer()).Name() // "example.com/m/generators/redis.Generate"
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}
