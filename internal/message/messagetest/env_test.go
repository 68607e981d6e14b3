package messagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/factortest"
)

type spyTB struct {
	testing.TB
	failed bool
}

func (s *spyTB) Errorf(string, ...any) { s.failed = true }
func (s *spyTB) Helper()               {}

func TestCheckLogCatchesLeaks(t *testing.T) {
	tests := []struct {
		name string
		line func(m factor.Message) string
		leak bool
	}{
		{"clean", func(factor.Message) string { return "sent" }, false},
		{"code", func(m factor.Message) string { return "sent code " + m.Code }, true},
		{"number", func(m factor.Message) string { return "to " + m.To }, true},
		{"number without plus", func(m factor.Message) string { return "to 00" + m.To[1:] + "x" }, false},
		{"digits of the number", func(m factor.Message) string { return "to=" + m.To[1:] }, true},
		{"code inside an ID", func(m factor.Message) string { return "id abc" + m.Code + "def" }, false},
		{"typed secret", func(factor.Message) string { return "typed 06-12345678" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := NewEnv(t, factor.Config{})
			env.Secret("06-12345678")
			m := factor.Message{Kind: factor.KindSMS, To: "+31612345678", Code: "123456"}
			require.NoError(t, env.Sender.Send(context.Background(), m))
			env.M.Extension().Logger().Info(tt.line(m))
			spy := &spyTB{TB: t}
			env.checkLog(spy)
			assert.Equal(t, tt.leak, spy.failed)
			if spy.failed { // keep the real cleanup check quiet
				env.Log = &factortest.LogBuffer{}
				env.Sender.Reset()
				env.secrets = nil
			}
		})
	}
}
