package sqlstore_test

import (
	"context"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twostep/twostep/factor"
	"github.com/twostep/twostep/factor/sqlstore"
)

// TestVerifyKeepsItsDeadlineWhileSQLiteIsLocked holds SQLite's write lock
// on another connection for longer than the test runs and verifies a code
// with a 2-second deadline, through the recommended DSN: Verify returns an
// error wrapping context.DeadlineExceeded within the deadline plus one
// second, although the busy handler never looks at the context.
func TestVerifyKeepsItsDeadlineWhileSQLiteIsLocked(t *testing.T) {
	target := migrated(t, dbTarget{sqlstore.SQLite, "sqlite", sqliteDSN(t)})
	m := newTOTPManager(t, target.open(t), []factor.ServerKey{newKey(t, "k")})
	e := enrolTOTP(t, m, "alice", at(0))

	holder, err := target.db(t).Conn(ctx)
	require.NoError(t, err)
	_, err = holder.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = holder.ExecContext(context.Background(), "ROLLBACK")
		holder.Close()
	})

	const deadline = 2 * time.Second
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	_, err = m.Verify(dctx, factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: totpCode(e.Secret, at(1))}, at(1))
	took := time.Since(start)
	t.Logf("Verify returned after %v: %v", took.Round(time.Millisecond), err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The driver gives up as soon as its next wait for the lock would
	// pass the deadline, a few milliseconds before it.
	assert.GreaterOrEqual(t, took, deadline-100*time.Millisecond, "Verify waited for the lock until the deadline")
	assert.Less(t, took, deadline+time.Second, "Verify kept its deadline")

	_, err = holder.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, verifyTOTP(m, e, totpCode(e.Secret, at(2)), at(2)), "the code works once the lock is gone")
}

// TestVerifyGivesUpOnAnUnresponsivePostgres talks to PostgreSQL through a
// TCP proxy on loopback, which then stops forwarding: with no deadline of
// its own, Verify returns after Config.StoreTimeout (1 s here) with an
// error wrapping context.DeadlineExceeded.
func TestVerifyGivesUpOnAnUnresponsivePostgres(t *testing.T) {
	dsn := postgresSchemaDSN(t)
	migrated(t, dbTarget{sqlstore.Postgres, "pgx", dsn})
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	proxy := newStallingProxy(t, u.Host)
	u.Host = proxy.addr()
	db := openDB(t, "pgx", u.String())
	s, err := sqlstore.New(db, sqlstore.Postgres)
	require.NoError(t, err)
	const timeout = time.Second
	m, err := factor.NewManager(factor.Config{Store: s, Keys: []factor.ServerKey{newKey(t, "k")},
		Factors: []factor.Factor{newApp(t)}, StoreTimeout: timeout})
	require.NoError(t, err)
	e := enrolTOTP(t, m, "alice", at(0))

	proxy.stall()
	start := time.Now()
	_, err = m.Verify(context.Background(), factor.Answer{UserID: "alice", EnrollmentID: e.ID, Code: totpCode(e.Secret, at(1))}, at(1))
	took := time.Since(start)
	t.Logf("Verify returned after %v: %v", took.Round(time.Millisecond), err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, took, timeout, "Verify waited for the database until StoreTimeout")
	assert.Less(t, took, timeout+time.Second, "Verify gave up at StoreTimeout")
}

// stallingProxy forwards TCP connections to a server until stall is
// called; from then on it reads what either side sends but forwards
// nothing, like a server that stopped answering with its connections
// still open.
type stallingProxy struct {
	ln      net.Listener
	stalled chan struct{}
	once    sync.Once
	mu      sync.Mutex
	conns   []net.Conn
	wg      sync.WaitGroup
}

// newStallingProxy listens on a loopback port and forwards to upstream.
// It closes when the test ends.
func newStallingProxy(t *testing.T, upstream string) *stallingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &stallingProxy{ln: ln, stalled: make(chan struct{})}
	p.wg.Go(func() { p.accept(upstream) })
	t.Cleanup(p.close)
	return p
}

func (p *stallingProxy) addr() string { return p.ln.Addr().String() }

// stall stops all forwarding, on open and new connections alike.
func (p *stallingProxy) stall() { p.once.Do(func() { close(p.stalled) }) }

func (p *stallingProxy) accept(upstream string) {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", upstream)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(server, client) })
		p.wg.Go(func() { p.pipe(client, server) })
	}
}

// pipe copies from src to dst until either closes or the proxy stalls;
// after a stall it keeps reading src and drops what it reads.
func (p *stallingProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		select {
		case <-p.stalled:
			continue
		default:
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (p *stallingProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
