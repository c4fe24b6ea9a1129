package notify

import (
	"testing"

	"github.com/sowflow/sowflow/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.Postgres()) }
