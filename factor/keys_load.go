package factor

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

// LoadKeys reads Config.Keys from the environment: from the variable name,
// or, when that is unset or empty, from the file that the variable
// name+"_FILE" names (as container platforms mount secrets). Both hold the
// text ParseKeys reads. An error names the variable or the file and the
// entry, never key material.
func LoadKeys(name string) ([]ServerKey, error) {
	if v := os.Getenv(name); v != "" {
		keys, err := ParseKeys([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("factor: keys in $%s: %w", name, err)
		}
		return keys, nil
	}
	path := os.Getenv(name + "_FILE")
	if path == "" {
		return nil, fmt.Errorf("factor: keys: neither $%s nor $%s_FILE is set", name, name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("factor: keys from $%s_FILE: %w", name, err)
	}
	keys, err := ParseKeys(b)
	if err != nil {
		return nil, fmt.Errorf("factor: keys in %s: %w", path, err)
	}
	return keys, nil
}

// ParseKeys reads server keys from text, one key per line as
// "id:secret", the secret in standard base64 (with or without padding) of
// at least 32 bytes, such as "2027-05:" followed by the output of
// "openssl rand -base64 32". The current key comes first and older keys
// follow in the order given, which is the order of Config.Keys. Blank
// lines and lines starting with "#" are ignored; a semicolon also
// separates keys, for environment variables that hold one line. At least
// one key is required, IDs are 1 to 32 bytes and unique. A refused text is
// a *ConfigError wrapping ErrInvalidConfig that names the entry by number
// (lines and semicolon-separated parts, counted from 1) but never quotes
// it.
func ParseKeys(text []byte) ([]ServerKey, error) {
	var keys []ServerKey
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Split(splitKeys)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := parseKey(line)
		if err == nil {
			err = checkKey(k, seen)
		}
		if err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("Keys (entry %d)", n), Reason: err.Error()}
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, &ConfigError{Field: "Keys", Reason: "unreadable text"}
	}
	if len(keys) == 0 {
		return nil, &ConfigError{Field: "Keys", Reason: "no keys"}
	}
	return keys, nil
}

// parseKey reads one "id:secret" line. Its errors never quote the line.
func parseKey(line string) (ServerKey, error) {
	id, secret, ok := strings.Cut(line, ":")
	if !ok {
		return ServerKey{}, errors.New(`must be "id:secret"`)
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(secret), "="))
	if err != nil {
		return ServerKey{}, errors.New("secret is not standard base64")
	}
	return ServerKey{ID: strings.TrimSpace(id), Secret: b}, nil
}

// splitKeys splits at line ends and semicolons.
func splitKeys(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\n;"); i >= 0 {
		return i + 1, bytes.TrimSuffix(data[:i], []byte("\r")), nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
