package codec

import (
	"bytes"
	"context"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sowflow/sowflow/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m, testenv.Temporal(nil)) }

func echo(_ workflow.Context, s string) (string, error) { return "echo " + s, nil }

// TestTemporalStoresOnlyCiphertext runs a workflow through a client with the
// codec and reads its history with a client without it: the stored input and
// result are unreadable, while the codec client reads them back.
func TestTemporalStoresOnlyCiphertext(t *testing.T) {
	ctx := context.Background()
	env := testenv.Get(t)
	c, err := NewAESGCM(testKey(9))
	if err != nil {
		t.Fatal(err)
	}
	secure := env.Temporal.NewClientWithOptions(client.Options{DataConverter: DataConverter(c)})
	w := worker.New(secure, "codec", worker.Options{})
	w.RegisterWorkflowWithOptions(echo, workflow.RegisterOptions{Name: "echo"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	run, err := secure.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "codec"}, "echo", "customer acme, project lz-secret")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "echo customer acme, project lz-secret" {
		t.Fatalf("result %q, %v", got, err)
	}

	iter := env.Client().GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	checked := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		var payloads [][]byte
		var encodings []string
		if a := e.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			for _, p := range a.GetInput().GetPayloads() {
				payloads, encodings = append(payloads, p.GetData()), append(encodings, string(p.GetMetadata()["encoding"]))
			}
		}
		if a := e.GetWorkflowExecutionCompletedEventAttributes(); a != nil {
			for _, p := range a.GetResult().GetPayloads() {
				payloads, encodings = append(payloads, p.GetData()), append(encodings, string(p.GetMetadata()["encoding"]))
			}
		}
		for i, data := range payloads {
			checked++
			if bytes.Contains(data, []byte("lz-secret")) || encodings[i] != EncodingEncrypted {
				t.Errorf("event %d stores a readable payload (encoding %q)", e.GetEventId(), encodings[i])
			}
		}
	}
	if checked != 2 {
		t.Fatalf("checked %d payloads, want the input and the result", checked)
	}
}
