package pushclient_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twostep/twostep/push/pushclient"
)

func docExample(t *testing.T, name string) string {
	t.Helper()
	doc, err := os.ReadFile("../PROTOCOL.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(doc), "<!-- example "+name+" -->\n```\n")
	require.True(t, ok, "no example %s", name)
	block, _, ok := strings.Cut(after, "```")
	require.True(t, ok)
	return block
}

// The client builds the documented signed texts from the documented
// fields, in the documented order.
func TestSignedTextsFollowTheDoc(t *testing.T) {
	const url, user, enr = "https://example.com/twostep/push", "alice", "abcdefghijklmnopqrstuvwxyz"
	assert.Equal(t, docExample(t, "answer"), string(pushclient.SignedText("answer", url, user, enr, "c2345678901234567890123456", "bm9uY2U", "approve", "", "42", "1796634000")))
	assert.Equal(t, docExample(t, "poll"), string(pushclient.SignedText("poll", url, user, enr, "1796634000")))
}

func TestParseURI(t *testing.T) {
	inv, err := pushclient.ParseURI("twostep-push://enroll?v=1&url=https%3A%2F%2Fexample.com%2Fp&user=a%20b&enrollment=e&secret=s&issuer=X&account=acc")
	require.NoError(t, err)
	assert.Equal(t, &pushclient.Invite{URL: "https://example.com/p", User: "a b", Enrollment: "e", Secret: "s", Issuer: "X", Account: "acc"}, inv)
	for _, bad := range []string{"otpauth://totp/x?secret=a", "twostep-push://enroll?v=2&url=u&user=a&enrollment=e&secret=s", "twostep-push://enroll?v=1&user=a&enrollment=e&secret=s"} {
		_, err := pushclient.ParseURI(bad)
		assert.Error(t, err, bad)
	}
}
