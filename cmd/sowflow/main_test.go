package main

import (
	"testing"

	"github.com/sowflow/sowflow/testenv"
	"github.com/sowflow/sowflow/workflows"
)

func TestMain(m *testing.M) {
	testenv.Main(m, testenv.Postgres(), testenv.Temporal(workflows.SearchAttributes()))
}
