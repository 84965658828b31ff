//go:build race

package main

// raceEnabled: the race detector slows detection several times, so the
// large integration test uses fewer records under it; scripts/test.sh runs
// it again at full size without the detector.
const raceEnabled = true
