// Command onboard connects a Tencent Cloud account to Alibaba Cloud Security Center.
package main

import (
	"os"

	"onboard/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
