package tcloud

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A body with a member given twice, or data after the value, is refused as the real services' strict
// decoders refuse it, with the code for bad input.
func TestDuplicateMembersAndTrailingDataAreRefused(t *testing.T) {
	_, c := newTestServer(t)
	for _, body := range []string{
		`{"Name":"nobody","Name":"root"}`,
		`{"Name":"nobody","name":"root"}`,
		`{"Name":"nobody"} {"Name":"root"}`,
		`{"Name":"nobody"}x`,
		`{"Name":"nobody","Filter":{"a":1,"a":2}}`,
	} {
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL, strings.NewReader(body))
		req.Header.Set("X-TC-Action", "GetUser")
		req.Header.Set("X-TC-Version", "2019-01-16")
		req.Header.Set("X-TC-Region", "ap-guangzhou")
		Sign(req, []byte(body), c.id, c.key, "cam", c.now)
		if r := c.send(req); errorCode(r) != "InvalidParameter" {
			t.Errorf("%s: %v, want InvalidParameter", body, r)
		}
	}
	// The same request, well formed, reaches the action.
	if r := c.call("cam", "2019-01-16", "GetUser", map[string]any{"Name": "nobody"}); errorCode(r) != "ResourceNotFound.UserNotExist" {
		t.Fatalf("well formed: %v", r)
	}
}

func TestStrictJSON(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"a":1,"b":[{"a":1},{"a":2}]}`: true,
		`[1,2,2]`:                       true,
		` {"a":1} `:                     true,
		`{"a":1,"a":1}`:                 false,
		`{"a":{"b":1,"B":2}}`:           false,
		`{"a":1}{}`:                     false,
		`{"a":1`:                        false,
		``:                              false,
		strings.Repeat("[", 100) + strings.Repeat("]", 100): false,
	} {
		if err := StrictJSON([]byte(body)); (err == nil) != ok {
			t.Errorf("%.40s: %v, want ok=%v", body, err, ok)
		}
	}
}

// FuzzStrictJSON: whatever StrictJSON accepts is valid JSON.
func FuzzStrictJSON(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,2]}}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if StrictJSON(body) == nil && !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}

// A CONNECT tunnel that carries no request is closed once idle, so a client gone away does not hold a
// connection for ever; one in use is served.
func TestTunnelClosesWhenIdle(t *testing.T) {
	s := New(Options{TunnelIdleTimeout: 300 * time.Millisecond})
	hs := httptest.NewServer(s)
	defer hs.Close()
	open := func() (net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", hs.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.Write([]byte("CONNECT cam.tencentcloudapi.com:443 HTTP/1.1\r\nHost: cam.tencentcloudapi.com:443\r\n\r\n"))
		r := bufio.NewReader(conn)
		line, err := r.ReadString('\n')
		if err != nil || !strings.Contains(line, "200") {
			t.Fatalf("CONNECT: %q %v", line, err)
		}
		r.ReadString('\n') // the empty line after the status
		return conn, r
	}

	idle, r := open()
	defer idle.Close()
	start := time.Now()
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("an idle tunnel sent data")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("an idle tunnel was still open after 5s")
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("closed after %s", time.Since(start))
	}

	used, r := open()
	defer used.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://cam.tencentcloudapi.com/", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("X-TC-Action", "GetUserAppId")
	req.Write(used)
	used.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(r, req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("request through the tunnel: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("the tunnel sent more data")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a tunnel idle after a request was still open after 5s")
	}
}
