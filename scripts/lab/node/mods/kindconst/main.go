// Command kindconst prints the value of a string constant declared in one Go source file.
//
//	kindconst FILE NAME
//
// The file is type-checked on its own (standard library imports only), so a constant built
// from other constants of the same file, like kind's default storage manifest, which splices
// in its image names, comes out exactly as the compiled program would see it. The build script
// uses it to read manifests from the kind module in the Go module cache, instead of keeping a
// copy of them in this repository.
package main

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: kindconst FILE NAME")
		os.Exit(2)
	}
	v, err := lookup(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kindconst:", err)
		os.Exit(1)
	}
	fmt.Print(v)
}

func lookup(file, name string) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	conf := types.Config{
		Importer: importer.Default(),
		// Other declarations of the file may refer to the rest of its package; only the
		// constant matters, so such errors are ignored as long as it resolves.
		Error: func(error) {},
	}
	pkg, _ := conf.Check(f.Name.Name, fset, []*ast.File{f}, nil)
	if pkg == nil {
		return "", fmt.Errorf("%s: cannot type-check", file)
	}
	obj, ok := pkg.Scope().Lookup(name).(*types.Const)
	if !ok {
		return "", fmt.Errorf("%s: no constant named %s", file, name)
	}
	if obj.Val().Kind() != constant.String {
		return "", fmt.Errorf("%s: constant %s is not a string", file, name)
	}
	return constant.StringVal(obj.Val()), nil
}
