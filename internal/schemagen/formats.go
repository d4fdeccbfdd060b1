package schemagen

// formats are the named value formats fields refer to (schema:"ref=NAME"):
// strings of a shape (paths, images, durations), ports, and the maps
// whose values are free text or another schema's business (labels,
// resourceList, extensions). They are the catalog's vocabulary rather
// than its shape, so they are written here as JSON Schema, once each.
var formats = map[string]string{
	"absolutePath":         `{"description": "An absolute path inside an image.", "type": "string", "pattern": "^/[A-Za-z0-9_./-]*$"}`,
	"antiAffinity":         `{"enum": ["preferred", "required"], "description": "Spread pods over nodes (kubernetes.io/hostname): preferred (default) or required."}`,
	"clickhouseColumnType": `{"description": "A ClickHouse data type: UInt8…UInt256, Int8…Int256, Float32, Float64, Decimal(P, S), Decimal32…256(S), Bool, String, FixedString(N), UUID, Date, Date32, DateTime, DateTime64(P), IPv4, IPv6, and Nullable(T), LowCardinality(T), Array(T), Map(K, V) of them.", "type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_(), ]+$"}`,
	"cronSchedule":         `{"description": "A cron schedule: five fields (minute hour day-of-month month day-of-week) or @hourly, @daily...", "type": "string", "pattern": "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([0-9*/,-]+ ){4}[0-9A-Za-z*/,?-]+)$"}`,
	"dns1035Label":         `{"description": "A DNS-1035 label: lower-case alphanumerics and '-', starting with a letter and ending with an alphanumeric, at most 63 characters. Service names must be DNS-1035 labels.", "type": "string", "minLength": 1, "maxLength": 63, "pattern": "^[a-z]([-a-z0-9]*[a-z0-9])?$"}`,
	"dnsLabel":             `{"description": "A DNS-1123 label: lower-case alphanumerics and '-', starting and ending with an alphanumeric, at most 63 characters.", "type": "string", "minLength": 1, "maxLength": 63, "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}`,
	"dnsSubdomain":         `{"description": "A DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253 characters.", "type": "string", "minLength": 1, "maxLength": 253, "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"}`,
	"duration":             `{"description": "A Go duration such as 2s, 5m or 168h.", "type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$", "format": "go-duration"}`,
	"extensions":           `{"type":"object","description":"Extension sections by extension name (a generator's name); what each holds, that extension's own schema says.","maxProperties":100,"propertyNames":{"$ref":"#/definitions/dnsLabel"},"additionalProperties":{"type":"object","description":"One extension's section."}}`,
	"hostName":             `{"description": "A host name: lower-case letters, digits, '-' and '.'.", "type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253}`,
	"httpPath":             `{"description": "An absolute HTTP path without query: letters, digits and -._~/%.", "type": "string", "maxLength": 1024, "pattern": "^/[A-Za-z0-9._~%/-]*$"}`,
	"image":                `{"description": "A container image reference with an explicit tag or digest (never 'latest', in any case).", "type": "string", "pattern": "^[a-z0-9][a-z0-9._/:-]*[a-z0-9](:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", "not": {"pattern": ":[Ll][Aa][Tt][Ee][Ss][Tt]$"}}`,
	"imageDigest":          `{"description": "An image digest: sha256:<64 lower-case hex digits>.", "type": "string", "pattern": "^sha256:[a-f0-9]{64}$"}`,
	"imageRepository":      `{"description": "An image repository without tag or digest, e.g. registry.example/team/app.", "type": "string", "pattern": "^[a-z0-9][a-z0-9._/:-]*[a-z0-9]$"}`,
	"imageTag":             `{"type": "string", "pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", "not": {"pattern": "^[Ll][Aa][Tt][Ee][Ss][Tt]$"}, "description": "A pinned tag; 'latest' (in any case) is rejected."}`,
	"kafkaClusterId":       `{"description": "A KRaft cluster ID: 16 bytes in base64url without padding (22 characters), as kafka-storage random-uuid prints.", "type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"}`,
	"labels":               `{"type": "object", "description": "Kubernetes labels: keys with an optional DNS-subdomain prefix, values of at most 63 characters.", "propertyNames": {"pattern": "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"}, "additionalProperties": {"type": "string", "description": "A label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty).", "pattern": "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"}}`,
	"port":                 `{"type": "integer", "description": "A TCP port number, 1 to 65535.", "minimum": 1, "maximum": 65535}`,
	"postgresExtension":    `{"description": "A PostgreSQL extension name, e.g. uuid-ossp.", "type": "string", "pattern": "^[a-z0-9_-]+$"}`,
	"quantity":             `{"description": "A Kubernetes resource quantity such as 100m, 128Mi or 10Gi.", "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"}`,
	"resourceList":         `{"type": "object", "description": "Quantities by resource name: cpu, memory, ephemeral-storage.", "additionalProperties": false, "properties": {"cpu": {"$ref": "#/definitions/quantity", "description": "CPU, in cores (1) or millicores (250m)."}, "memory": {"$ref": "#/definitions/quantity", "description": "Memory in bytes, usually with a binary suffix (256Mi, 1Gi)."}, "ephemeral-storage": {"$ref": "#/definitions/quantity", "description": "Local scratch disk (emptyDir, logs, writable layer), e.g. 1Gi."}}}`,
	"secretKeyPrefix":      `{"description": "A path in the secret store: segments of letters, digits, '_', '.' and '-', separated by '/'.", "type": "string", "pattern": "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$"}`,
	"semver":               `{"description": "A semantic version without a leading v: MAJOR.MINOR.PATCH.", "type": "string", "pattern": "^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})$"}`,
	"sqlIdentifier":        `{"description": "A lower-case SQL identifier, at most 63 characters (PostgreSQL's NAMEDATALEN - 1).", "type": "string", "minLength": 1, "maxLength": 63, "pattern": "^[a-z_][a-z0-9_]*$"}`,
	"topicName":            `{"description": "A Kafka topic name: letters, digits, '.', '_' and '-', at most 249 characters.", "type": "string", "minLength": 1, "maxLength": 249, "pattern": "^[a-zA-Z0-9._-]+$"}`,
}
