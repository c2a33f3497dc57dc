package tencent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

// Kafka networks of CLS's Kafka-protocol consumption.
const (
	KafkaPublic  = "public"
	KafkaPrivate = "private"
)

// KafkaBootstrap returns CLS's Kafka consumption address in a region: the API returns none, the CLS
// documentation gives one per region and network.
func KafkaBootstrap(region, network string) (string, error) {
	switch network {
	case KafkaPublic:
		return fmt.Sprintf("kafkaconsumer-%s.cls.tencentcs.com:9096", region), nil
	case KafkaPrivate:
		return fmt.Sprintf("kafkaconsumer-%s.cls.tencentyun.com:9095", region), nil
	}
	return "", fmt.Errorf("invalid Kafka network %q: valid values are public, private", network)
}

// KafkaCheck is a login to CLS's Kafka consumption as Security Center will do it.
type KafkaCheck struct {
	Bootstrap  string // host:port
	LogsetID   string // the SASL user
	Topic      string // the Kafka topic (TopicID of OpenKafkaConsumer)
	Credential Credential
	Timeout    time.Duration // default 15 s
}

// ErrKafkaLogin means the Kafka endpoint refused the SASL login. Brokers answer a wrong password with an
// authentication error or by closing the connection mid-login, so a connection closed then counts too.
var ErrKafkaLogin = errors.New("the Kafka endpoint refused the login (or closed the connection during it)")

// VerifyKafka logs in with SASL PLAIN over plaintext (CLS offers nothing else): the user is the logset ID,
// the password SecretId#SecretKey. It then asks for the topic's metadata, so a login that works but
// cannot see the topic is reported too.
func VerifyKafka(ctx context.Context, k KafkaCheck) error {
	if k.Timeout == 0 {
		k.Timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, k.Timeout)
	defer cancel()
	mech := plain.Auth{User: k.LogsetID, Pass: k.Credential.SecretID + "#" + k.Credential.SecretKey.Reveal()}.AsMechanism()
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Bootstrap), kgo.SASL(mech), kgo.RequestRetries(1))
	if err != nil {
		return fmt.Errorf("kafka client for %s: %w", k.Bootstrap, err)
	}
	defer cl.Close()
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(k.Topic)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		if errors.Is(err, kerr.SaslAuthenticationFailed) || errors.Is(err, kerr.IllegalSaslState) ||
			errors.Is(err, kerr.UnsupportedSaslMechanism) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %s as %s: %v", ErrKafkaLogin, k.Bootstrap, k.LogsetID, err)
		}
		return fmt.Errorf("kafka %s: %w", k.Bootstrap, err)
	}
	i := slices.IndexFunc(resp.Topics, func(rt kmsg.MetadataResponseTopic) bool { return rt.Topic != nil && *rt.Topic == k.Topic })
	if i < 0 {
		return fmt.Errorf("kafka %s: topic %s: %w", k.Bootstrap, k.Topic, ErrNotFound)
	}
	if err := kerr.ErrorForCode(resp.Topics[i].ErrorCode); err != nil {
		return fmt.Errorf("kafka %s: topic %s: %w", k.Bootstrap, k.Topic, err)
	}
	return nil
}
