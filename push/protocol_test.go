package push

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docExample returns the code block after the marker in PROTOCOL.md.
func docExample(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile("PROTOCOL.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(doc), "<!-- example "+name+" -->\n```\n")
	require.True(t, ok, "no example %s", name)
	block, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	return block
}

// The server's signed texts are exactly the documented ones.
func TestSignedTextsFollowTheDoc(t *testing.T) {
	const origin = "https://example.com/twostep/push"
	a := answerRequest{User: "alice", Enrollment: "abcdefghijklmnopqrstuvwxyz", Challenge: "c2345678901234567890123456", Nonce: "bm9uY2U", Decision: DecisionApprove, Number: "42", Timestamp: 1796634000}
	assert.Equal(t, docExample(t, "answer"), string(a.signedText(origin)))
	p := pollRequest{User: "alice", Enrollment: "abcdefghijklmnopqrstuvwxyz", Timestamp: 1796634000}
	assert.Equal(t, docExample(t, "poll"), string(p.signedText(origin)))
}
