package tcloud

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// serveTunnel answers an HTTP CONNECT (what SDKs send when given the emulator as their proxy) by serving
// the emulator itself, in plain HTTP, over the tunnelled connection. The requests then carry the real
// service host names (cam.tencentcloudapi.com), as they would in production.
func (s *Server) serveTunnel(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "CONNECT not supported here", http.StatusMethodNotAllowed)
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	l := &oneConnListener{conn: &bufferedConn{Conn: conn, r: rw.Reader}, done: make(chan struct{})}
	// A tunnel nobody uses is closed: a client that opened one and went away (or one that never sends a
	// whole request) would otherwise hold a connection and a goroutine for ever.
	go (&http.Server{Handler: s, ReadHeaderTimeout: s.tunnelIdle, ReadTimeout: s.tunnelIdle, IdleTimeout: s.tunnelIdle}).Serve(l)
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// oneConnListener hands out one connection, then blocks until it is closed.
type oneConnListener struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
	used bool
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	if !l.used {
		l.used = true
		return &closeNotifyConn{Conn: l.conn, onClose: l.Close}, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *oneConnListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.conn.LocalAddr() }

type closeNotifyConn struct {
	net.Conn
	onClose func() error
}

func (c *closeNotifyConn) Close() error {
	err := c.Conn.Close()
	c.onClose()
	return err
}
