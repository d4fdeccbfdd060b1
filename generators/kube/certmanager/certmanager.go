// Package certmanager holds typed structs for cert-manager's Certificate
// (cert-manager.io/v1): only the fields novagen sets, with the JSON names
// of the v1 CRD.
package certmanager

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// APIVersion and Kind of a Certificate.
const (
	APIVersion = "cert-manager.io/v1"
	Kind       = "Certificate"
)

// Certificate makes cert-manager obtain a certificate for DNSNames from
// an issuer and keep it, renewed, in the Secret SecretName.
type Certificate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              Spec `json:"spec"`
}

// Spec is spec of a Certificate.
type Spec struct {
	SecretName string    `json:"secretName"`
	DNSNames   []string  `json:"dnsNames"`
	IssuerRef  IssuerRef `json:"issuerRef"`
}

// IssuerRef names the Issuer or ClusterIssuer.
type IssuerRef struct {
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind,omitempty"`
	Name  string `json:"name"`
}

// Group is cert-manager's API group, that of its issuers.
const Group = "cert-manager.io"

// The pods cert-manager runs to answer an ACME HTTP-01 challenge, in the
// Certificate's namespace: the issuer fetches the token through the
// ingress controller (or Gateway), which forwards to these pods.
const (
	SolverPodLabel = "acme.cert-manager.io/http01-solver" // "true" on every solver pod
	SolverPort     = 8089                                 // where a solver pod listens
)
