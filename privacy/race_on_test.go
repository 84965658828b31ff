//go:build race

package privacy

// raceEnabled: the race detector slows the Adult runs about 30x, so only one
// of them runs under -race; the others run in plain `go test`.
const raceEnabled = true
