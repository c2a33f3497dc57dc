package tencent

import (
	"bytes"
	"context"
	"encoding/json"

	"fmt"
	gojson "github.com/goccy/go-json"
	"io"
	"net/http"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// A listing answer is decoded once, by the listing itself. The SDK reads every answer five times over
// before handing it back (twice for an error while checking throttling, twice more for an error while
// parsing, once to check it is JSON), which for pages of a hundred instances cost a large sync about a
// third of its CPU. So the transport takes a successful listing answer aside and gives the SDK an empty
// one to read; an answer that may hold an error goes to the SDK whole, which turns it into its error.
//
// The listing decodes it with go-json rather than encoding/json. encoding/json checks a whole answer
// before decoding it, then scans each item again to hand it to item.UnmarshalJSON, which checks and
// decodes it twice more; go-json reads each byte about once. Syncing 20 accounts of 5,000 assets at once
// (BenchmarkSync/accounts), decoding took 1.76 s of CPU with encoding/json and 0.37 s with go-json.

// pageBody receives a listing's answer taken aside by pageTransport; it travels in the request's context.
type pageBody struct{ body []byte }

type pageBodyKey struct{}

// pageTransport is the transport of every SDK client. It touches only requests whose context carries a
// *pageBody (listPage's).
type pageTransport struct{ next http.RoundTripper }

// emptyAnswer is what the SDK reads instead of a listing answer taken aside.
const emptyAnswer = `{"Response":{}}`

func (t *pageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	sink, _ := req.Context().Value(pageBodyKey{}).(*pageBody)
	if err != nil || sink == nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		return resp, err
	}
	body, err := readBody(resp)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if mayHoldError(body) {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	sink.body = body
	resp.Body = io.NopCloser(strings.NewReader(emptyAnswer))
	resp.ContentLength = int64(len(emptyAnswer))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// readBody reads an answer into one buffer of its announced length, where io.ReadAll would grow one
// through copies; a listing's page is a hundred items.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength <= 0 || resp.ContentLength > 64<<20 {
		return io.ReadAll(resp.Body)
	}
	body := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}

// mayHoldError reports whether an answer may carry Response.Error. A quote inside a JSON string is
// escaped, so an unescaped "Error" followed by a colon is an object key; it may also be a key nested in
// an item, and then the SDK reads the answer in full for nothing, which costs time, not correctness.
func mayHoldError(body []byte) bool {
	for rest := body; ; {
		i := bytes.Index(rest, []byte(`"Error"`))
		if i < 0 {
			return false
		}
		rest = rest[i+len(`"Error"`):]
		if after := bytes.TrimLeft(rest, " \t\r\n"); len(after) > 0 && after[0] == ':' {
			return true
		}
	}
}

// listPage sends one page of a listing through the SDK's generic client (the request's fields in
// params) and decodes the answer once into out.
func (c *Client) listPage(ctx context.Context, service, version, action, region string, params, out any) error {
	cl, err := sdkClient(c, service+"-generic", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*common.Client, error) {
		return common.NewCommonClient(cr, r, p), nil
	})
	if err != nil {
		return err
	}
	return c.do(ctx, service, action, false, func() error {
		sink := &pageBody{}
		req := tchttp.NewCommonRequest(service, version, action)
		req.SetContext(context.WithValue(ctx, pageBodyKey{}, sink))
		body, _ := json.Marshal(params)
		if err := req.SetActionParameters(body); err != nil {
			return err
		}
		resp := &rawResponse{}
		if err := cl.Send(req, resp); err != nil {
			return err
		}
		answer := sink.body
		if answer == nil { // the SDK read it whole
			answer = resp.body
		}
		if err := gojson.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
		return nil
	})
}

// generic sends one action of a product without a typed module (or an action its typed module lacks)
// through the SDK's generic client and decodes the answer into out.
func (c *Client) generic(ctx context.Context, service, version, region, action string, mutating bool, in, out any) error {
	cl, err := sdkClient(c, service+"-generic", region, func(cr *common.Credential, r string, p *profile.ClientProfile) (*common.Client, error) {
		return common.NewCommonClient(cr, r, p), nil
	})
	if err != nil {
		return err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, service, action, mutating, func() error {
		req := tchttp.NewCommonRequest(service, version, action)
		req.SetContext(ctx)
		if err := req.SetActionParameters(body); err != nil {
			return err
		}
		resp := &rawResponse{}
		if err := cl.Send(req, resp); err != nil {
			return err
		}
		if err := json.Unmarshal(resp.body, out); err != nil {
			return fmt.Errorf("decode answer: %w", err)
		}
		return nil
	})
}

// rawResponse is an answer of the SDK's generic client kept as received (the SDK's CommonResponse
// decodes it into maps and encodes it again), for decoding only the fields that are read.
type rawResponse struct {
	tchttp.BaseResponse
	body []byte
}

func (r *rawResponse) UnmarshalJSON(body []byte) error {
	r.body = append(r.body[:0], body...)
	return nil
}

// item is one listed resource: the fields the inventory reads, and the item exactly as answered. Raw is
// a string, as the inventory stores it, so the item is copied out of the decoder's buffer once.
type item[F any] struct {
	Fields F
	Raw    string
}

func (it *item[F]) UnmarshalJSON(b []byte) error {
	it.Raw = string(b) // b belongs to the decoder
	return gojson.Unmarshal(b, &it.Fields)
}
