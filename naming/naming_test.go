package naming

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestShortened(t *testing.T) {
	long := strings.Repeat("a", 60) + "-service"
	tests := []struct {
		name, in string
		want     string
	}{
		{"short names pass through", "wait-for-postgres", "wait-for-postgres"},
		{"exactly 63 passes through", strings.Repeat("b", 63), strings.Repeat("b", 63)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, Shortened(tt.in)) })
	}
	got := Shortened("wait-for-" + long)
	assert.Len(t, got, MaxLabel)
	assert.True(t, strings.HasPrefix(got, "wait-for-aaaa"))
	assert.Empty(t, validation.IsDNS1123Label(got))
	assert.NotEqual(t, got, Shortened("wait-for-"+long+"x"), "distinct long names must not collide")
	assert.Equal(t, got, Shortened("wait-for-"+long), "same name, same label")
}

func TestSuffixed(t *testing.T) {
	assert.Equal(t, "sqlx-migrate-0123456789", Suffixed("sqlx-migrate", "0123456789"))
	got := Suffixed(strings.Repeat("long-", 20), "0123456789")
	assert.Len(t, got, MaxLabel)
	assert.Empty(t, validation.IsDNS1123Label(got), got)
}

func TestContainerNamesFit(t *testing.T) {
	svc := "s" + strings.Repeat("x", 62) // the longest service name
	for _, name := range []string{WaitContainer(svc), CopyContainer(svc), MigrateContainer(svc)} {
		assert.Empty(t, validation.IsDNS1123Label(name), name)
	}
}

func TestReaderSecret(t *testing.T) {
	roles := []string{"reader", "_reader_1_", "a_b", "ab", strings.Repeat("r", 63)}
	seen := map[string]string{}
	for _, r := range roles {
		name := ReaderSecret(r)
		assert.Empty(t, validation.IsDNS1123Label(name), "%q -> %q", r, name)
		assert.False(t, strings.HasSuffix(name, "-db"), "%q must not look like a <service>-db Secret", name)
		assert.NotContains(t, seen, name, "%q and %q share a Secret", r, seen[name])
		seen[name] = r
	}
}

func TestRoleAndPasswordEnv(t *testing.T) {
	assert.Equal(t, "realtime_chat_service", Role("realtime-chat-service"))
	assert.Equal(t, "NOVA_PG_PASSWORD_REALTIME_CHAT_SERVICE", PasswordEnv(Role("realtime-chat-service")))
	assert.Empty(t, validation.IsEnvVarName(PasswordEnv("_a_1_")))
}

func TestKafkaTopicResource(t *testing.T) {
	assert.Equal(t, "user-events", KafkaTopicResource("user-events"))
	assert.Equal(t, "orders.v1", KafkaTopicResource("orders.v1"))
	seen := map[string]string{}
	for _, topic := range []string{
		"user-events", "orders.v1", "User_Events", "user_events", "user.events", "a..b", "-x", "__consumer", "___",
		"orders.-v1", strings.Repeat("t", 64), strings.Repeat("t", 249), strings.Repeat("T", 249),
	} {
		name := KafkaTopicResource(topic)
		assert.Empty(t, validation.IsDNS1123Subdomain(name), "%q -> %q", topic, name)
		assert.Empty(t, validation.IsValidLabelValue(name), "%q -> %q", topic, name)
		assert.NotContains(t, seen, name, "%q and %q share a KafkaTopic", topic, seen[name])
		seen[name] = topic
		assert.Equal(t, name, KafkaTopicResource(topic), "stable")
	}
	assert.Regexp(t, `^user-events-[0-9a-f]{8}$`, KafkaTopicResource("User_Events"))
	assert.Regexp(t, `^topic-[0-9a-f]{8}$`, KafkaTopicResource("___"))
}

func TestKafkaClusterID(t *testing.T) {
	id := KafkaClusterID("nova-staging", "nova")
	assert.Len(t, id, 22)
	assert.Regexp(t, `^[A-Za-f][A-Za-z0-9_-]{21}$`, id, "base64url of 16 bytes, never a leading - or _")
	assert.Equal(t, id, KafkaClusterID("nova-staging", "nova"), "deterministic")
	assert.NotEqual(t, id, KafkaClusterID("nova-prod", "nova"))
	assert.NotEqual(t, id, KafkaClusterID("nova-staging", "nova2"))
	for i := range 200 {
		assert.Regexp(t, `^[A-Za-f]`, KafkaClusterID("ns", strings.Repeat("c", i)))
	}
}
