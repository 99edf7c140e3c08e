package main

// Engine is one policy engine under test.
type Engine interface {
	// Name is the engine's column name in the output ("iamd", "cedar", ...).
	Name() string
	// Load builds the engine's in-memory state for every principal of w: parsed and compiled
	// policies, entities, data. Its heap is what W4 measures.
	Load(w *Workload) (State, error)
}

// State is an engine loaded with a workload's principals.
type State interface {
	// Prepare turns a request into the engine's own input form, outside the timed loop, and
	// returns a function that decides it.
	Prepare(r *Request) (func() Outcome, error)
}

func engines() []Engine {
	return []Engine{iamdEngine{}, cedarEngine{}, opaEngine{}, minioEngine{}}
}
