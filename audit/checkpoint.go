package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// originPrefix starts every checkpoint's origin line; the worker id follows.
const originPrefix = "deidstream/audit/"

// Checkpoint is the content of a checkpoint note.
type Checkpoint struct {
	WorkerID string    `json:"worker_id"`
	Size     int64     `json:"size"`
	Root     tlog.Hash `json:"root"` // base64 in JSON
	Seq      int64     `json:"seq"`  // 0-based count of checkpoints before this one
	Time     time.Time `json:"time"`
}

func (c Checkpoint) text() string {
	return fmt.Sprintf("%s%s\n%d\n%s\ncheckpoint %d\ntime %s\n", originPrefix, c.WorkerID, c.Size,
		b64(c.Root[:]), c.Seq, c.Time.UTC().Format(time.RFC3339Nano))
}

// signCheckpoint returns the signed note for c.
func signCheckpoint(c Checkpoint, s *Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.text()}, s.noteSigners()...)
	if err != nil {
		return nil, fmt.Errorf("signing checkpoint %d: %w", c.Seq, err)
	}
	return msg, nil
}

// parseCheckpointText reads a checkpoint note's text (signatures already removed).
func parseCheckpointText(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 5 {
		return c, errors.New("want 5 lines")
	}
	var ok bool
	if c.WorkerID, ok = strings.CutPrefix(lines[0], originPrefix); !ok || !isCode(c.WorkerID) {
		return c, errors.New("bad origin line")
	}
	var err error
	if c.Size, err = strconv.ParseInt(lines[1], 10, 64); err != nil || c.Size < 0 || strconv.FormatInt(c.Size, 10) != lines[1] {
		return c, errors.New("bad tree size")
	}
	if c.Root, err = tlog.ParseHash(lines[2]); err != nil {
		return c, errors.New("bad root hash")
	}
	seq, ok := strings.CutPrefix(lines[3], "checkpoint ")
	if c.Seq, err = strconv.ParseInt(seq, 10, 64); !ok || err != nil || c.Seq < 0 {
		return c, errors.New("bad checkpoint counter")
	}
	ts, ok := strings.CutPrefix(lines[4], "time ")
	if c.Time, err = time.Parse(time.RFC3339Nano, ts); !ok || err != nil {
		return c, errors.New("bad time")
	}
	if c.text() != text {
		return c, errors.New("not in canonical form")
	}
	return c, nil
}

// sigResult says which of a checkpoint's two signatures verified.
type sigResult struct {
	ed, ml bool
}

// openCheckpoint parses a checkpoint note and checks each signature on its
// own, so a failure can say which one failed.
func openCheckpoint(msg []byte, v *Verifier) (Checkpoint, sigResult, error) {
	var res sigResult
	if err := checkSignatureBlock(msg); err != nil {
		return Checkpoint{}, res, fmt.Errorf("opening checkpoint note: %v: %w", err, ErrBadCheckpoint)
	}
	var text string
	for i, nv := range []note.Verifier{v.edVerifier(), v.mlVerifier()} {
		n, err := note.Open(msg, note.VerifierList(nv))
		var unverified *note.UnverifiedNoteError
		switch {
		case err == nil:
			text = n.Text
			if i == 0 {
				res.ed = true
			} else {
				res.ml = true
			}
		case errors.As(err, &unverified):
			text = unverified.Note.Text
		default:
			var invalid *note.InvalidSignatureError
			if !errors.As(err, &invalid) {
				return Checkpoint{}, res, fmt.Errorf("opening checkpoint note: %w", ErrBadCheckpoint)
			}
		}
	}
	if text == "" {
		// Both signatures present but invalid: the text is still readable.
		if i := strings.LastIndex(string(msg), "\n\n"); i >= 0 {
			text = string(msg[:i+1])
		}
	}
	c, err := parseCheckpointText(text)
	if err != nil {
		return c, res, fmt.Errorf("parsing checkpoint: %v: %w", err, ErrBadCheckpoint)
	}
	return c, res, nil
}

// checkSignatureBlock requires exactly two signature lines with strict
// base64, so that a checkpoint has one encoding: no byte of it can change
// without Verify noticing, even bits base64 decoding would ignore.
func checkSignatureBlock(msg []byte) error {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 || !bytes.HasSuffix(msg, []byte("\n")) {
		return errors.New("no signature block")
	}
	lines := strings.Split(strings.TrimSuffix(string(msg[i+2:]), "\n"), "\n")
	if len(lines) != 2 {
		return fmt.Errorf("%d signature lines, want 2", len(lines))
	}
	for _, l := range lines {
		rest, ok := strings.CutPrefix(l, "— ")
		_, sig, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 {
			return errors.New("malformed signature line")
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(sig); err != nil {
			return errors.New("signature not in strict base64")
		}
	}
	return nil
}
