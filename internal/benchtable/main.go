// Command benchtable turns the output of twostep's benchmark suite into the
// markdown performance table of the README, each figure beside its anchor
// from the same run, followed by the acceptance checks. .ci/bench.sh runs
// it:
//
//	go run ./internal/benchtable < bench.txt
//
// It reads `go test -bench` output (any number of packages and -count
// runs) and takes the median of every figure. Lines of the PostgreSQL load
// test (TestLoadPostgres, run with -v) are picked up too. A benchmark that
// did not run, such as PostgreSQL without TWOSTEP_TEST_POSTGRES, shows as
// "n/a".
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

const module = "github.com/twostep/twostep/"

// key names a benchmark: its package relative to the module and its name
// without "Benchmark" and without the GOMAXPROCS suffix.
type key struct{ pkg, name string }

// results holds every value of every benchmark, by unit.
type results struct {
	values map[key]map[string][]float64
	load   []string // the load test's report lines
}

var gomaxprocs = regexp.MustCompile(`-\d+$`)

// parse reads benchmark output.
func parse(r io.Reader) (*results, error) {
	res := &results{values: make(map[key]map[string][]float64)}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(strings.TrimPrefix(line, "pkg: "), module)
		case strings.HasPrefix(line, "Benchmark"):
			res.addBenchmark(pkg, line)
		case strings.Contains(line, "PostgreSQL load:") || strings.Contains(line, "logins/s; latency") ||
			strings.Contains(line, "PostgreSQL open loop:") || strings.Contains(line, ": p50 "):
			if i := strings.Index(line, ": "); i >= 0 && strings.HasPrefix(line, "load_test.go") {
				line = line[i+2:]
			}
			res.load = append(res.load, line)
		}
	}
	return res, sc.Err()
}

// addBenchmark records one result line: name, iterations, then pairs of
// value and unit.
func (res *results) addBenchmark(pkg, line string) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return
	}
	k := key{pkg, gomaxprocs.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")}
	if res.values[k] == nil {
		res.values[k] = make(map[string][]float64)
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			continue
		}
		res.values[k][f[i+1]] = append(res.values[k][f[i+1]], v)
	}
}

// median returns the median of a benchmark's values in unit, and whether
// there were any.
func (res *results) median(k key, unit string) (float64, bool) {
	vs := slices.Clone(res.values[k][unit])
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
	return vs[len(vs)/2], true
}

// samples returns how many runs of k there were.
func (res *results) samples(k key) int { return len(res.values[k]["ns/op"]) }

func main() {
	res, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(res.values) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark results on stdin")
		os.Exit(1)
	}
	write(os.Stdout, res)
}

// write prints the table, the load test and the acceptance checks.
func write(w io.Writer, res *results) {
	fmt.Fprintln(w, "| Operation | twostep | B/op | allocs/op | Anchor, same run | Anchor | twostep ÷ anchor |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- | ---: | ---: |")
	for _, r := range rows {
		r.write(w, res)
	}
	if len(res.load) > 0 {
		fmt.Fprintln(w)
		for _, l := range res.load {
			fmt.Fprintf(w, "- %s\n", l)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Acceptance | Figure | Limit | Met |")
	fmt.Fprintln(w, "| --- | ---: | ---: | :---: |")
	for _, c := range checks {
		c.write(w, res)
	}
	n := 0
	for k := range res.values {
		n = max(n, res.samples(k))
	}
	fmt.Fprintf(w, "\nMedians of up to %d runs per benchmark.\n", n)
}
