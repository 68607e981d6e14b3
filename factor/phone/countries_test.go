package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCountries(t *testing.T) {
	tests := []struct {
		name string
		p    Parser
		want []Country
	}{
		{"zero parser: the Netherlands alone", Parser{}, []Country{{"NL", 31}}},
		{"default first", Parser{DefaultRegion: "nl", AllowedRegions: []string{"be", "NL", "DE"}}, []Country{{"NL", 31}, {"BE", 32}, {"DE", 49}}},
		{"each once", Parser{AllowedRegions: []string{"NL", "BE", "be"}}, []Country{{"NL", 31}, {"BE", 32}}},
		{"a default that is not allowed is left out", Parser{DefaultRegion: "NL", AllowedRegions: []string{"BE"}}, []Country{{"BE", 32}}},
		{"invalid parser", Parser{DefaultRegion: "XX"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.Countries())
		})
	}
}
