// Package externalsecrets holds typed structs for the External Secrets
// Operator's ExternalSecret (external-secrets.io/v1): only the fields
// novagen sets, with the JSON names of the v1 CRD. Typed structs, not
// YAML templates, so the Go-template text ESO evaluates ("{{ .password }}")
// is just a string value to novagen and survives rendering untouched.
package externalsecrets

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// APIVersion and Kind of an ExternalSecret.
const (
	APIVersion = "external-secrets.io/v1"
	Kind       = "ExternalSecret"
)

// Values of the enumerations novagen uses.
const (
	CreationPolicyOwner = "Owner" // ESO owns the Secret: deleted with the ExternalSecret
	EngineV2            = "v2"    // text/template + sprig (without env/expandenv)
)

// ExternalSecret makes ESO fetch remote values and write a Secret.
type ExternalSecret struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec `json:"spec"`
}

// Spec is spec of an ExternalSecret.
type Spec struct {
	SecretStoreRef  StoreRef `json:"secretStoreRef"`
	RefreshInterval string   `json:"refreshInterval,omitempty"` // a Go duration
	Target          Target   `json:"target"`
	Data            []Data   `json:"data,omitempty"`
}

// StoreRef names the SecretStore or ClusterSecretStore to read from.
type StoreRef struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name"`
}

// Target describes the Secret ESO writes.
type Target struct {
	Name           string    `json:"name,omitempty"`
	CreationPolicy string    `json:"creationPolicy,omitempty"`
	Template       *Template `json:"template,omitempty"`
}

// Template renders the Secret's data from the fetched values; with
// mergePolicy Replace (the default) the Secret holds exactly Data's keys.
type Template struct {
	EngineVersion string            `json:"engineVersion,omitempty"`
	Metadata      *TemplateMetadata `json:"metadata,omitempty"`
	Data          map[string]string `json:"data,omitempty"`
}

// TemplateMetadata is the metadata of the written Secret.
type TemplateMetadata struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Data fetches one remote value into the template's input as SecretKey.
type Data struct {
	SecretKey string    `json:"secretKey"`
	RemoteRef RemoteRef `json:"remoteRef"`
}

// RemoteRef is a key in the store and, for JSON values, one property.
type RemoteRef struct {
	Key      string `json:"key"`
	Property string `json:"property,omitempty"`
}
