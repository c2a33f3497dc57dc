package tencent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

func TestKafkaBootstrapByNetwork(t *testing.T) {
	if b, _ := KafkaBootstrap("ap-guangzhou", KafkaPublic); b != "kafkaconsumer-ap-guangzhou.cls.tencentcs.com:9096" {
		t.Errorf("public: %s", b)
	}
	if b, _ := KafkaBootstrap("ap-shanghai", KafkaPrivate); b != "kafkaconsumer-ap-shanghai.cls.tencentyun.com:9095" {
		t.Errorf("private: %s", b)
	}
	if _, err := KafkaBootstrap("ap-shanghai", "vpn"); err == nil || !strings.Contains(err.Error(), "public, private") {
		t.Errorf("unknown network: %v", err)
	}
}

func TestVerifyKafkaLogsInAsSecurityCenterWill(t *testing.T) {
	const logset, topic = "f3a2c1d0-1111-4a2b-9c3d-0123456789ab", "out-002dbab1-fcf2-4ca7-b602-fda10d5e1731"
	cred := Credential{SecretID: "AKIDsub", SecretKey: SecretKey("the-sub-secret")}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("PLAIN", logset, "AKIDsub#the-sub-secret"), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	addr := cluster.ListenAddrs()[0]
	ctx := context.Background()
	if err := VerifyKafka(ctx, KafkaCheck{Bootstrap: addr, LogsetID: logset, Topic: topic, Credential: cred}); err != nil {
		t.Fatalf("the right login: %v", err)
	}
	wrong := Credential{SecretID: "AKIDsub", SecretKey: SecretKey("another-secret")}
	err = VerifyKafka(ctx, KafkaCheck{Bootstrap: addr, LogsetID: logset, Topic: topic, Credential: wrong})
	if !errors.Is(err, ErrKafkaLogin) {
		t.Errorf("a wrong secret: %v, want ErrKafkaLogin", err)
	}
	if strings.Contains(err.Error(), "another-secret") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if err := VerifyKafka(ctx, KafkaCheck{Bootstrap: addr, LogsetID: logset, Topic: "out-missing", Credential: cred}); err == nil {
		t.Error("a topic that does not exist was accepted")
	}
}

func TestVerifyKafkaAtAnAddressWithNoBrokerIsNotALoginError(t *testing.T) {
	err := VerifyKafka(context.Background(), KafkaCheck{Bootstrap: "127.0.0.1:1", LogsetID: "l", Topic: "t",
		Credential: Credential{SecretID: "AKID", SecretKey: SecretKey("s")}, Timeout: 2 * time.Second})
	if err == nil || errors.Is(err, ErrKafkaLogin) {
		t.Errorf("no broker: %v, want an error other than ErrKafkaLogin", err)
	}
}
