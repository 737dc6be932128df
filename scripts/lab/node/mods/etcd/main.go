// Command etcd runs the etcd server from go.etcd.io/etcd/server/v3.
//
// etcd's own main package lives in its root module (go.etcd.io/etcd/v3), whose replace
// directives make it impossible to require or `go install`; the server module, which holds
// all of the server, is an ordinary dependency. This is the whole of the command.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
