package notify

import (
	"os"
	"testing"

	"github.com/sowflow/sowflow/testenv"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(crashChildEnv); url != "" {
		os.Exit(runCrashChild(url))
	}
	testenv.Main(m, testenv.Postgres())
}
