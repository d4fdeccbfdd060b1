package rollout

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// The custom resources the stand-ins serve.
var (
	externalSecretGVR = schema.GroupVersionResource{Group: "external-secrets.io", Version: "v1", Resource: "externalsecrets"}
	certificateGVR    = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "certificates"}
	chiGVR            = schema.GroupVersionResource{Group: "clickhouse.altinity.com", Version: "v1", Resource: "clickhouseinstallations"}
)

// Operators stands in for the operators the environment needs and nothing
// here runs (deploying.md lists them), doing for each object what the
// real operator does as far as Argo CD and the pods can see:
//
//   - External Secrets: the target Secret (every key the ExternalSecret
//     names, random values, owned by it as creationPolicy Owner says)
//     and the Ready condition; SecretDelay late, Ready=False
//     (SecretSyncedError) until then, as when the store lacks the secret;
//   - cert-manager: the Certificate's TLS Secret (a self-signed key pair)
//     and Ready, or, with CertificatesNeverIssue, Issuing and Ready=False
//     forever, as while an HTTP-01 challenge cannot be reached;
//   - the Altinity ClickHouse operator: per shard and replica a
//     StatefulSet of the installation's pod and volume claim templates,
//     and the Service of its service template (the installation's status
//     is left alone: Argo CD has no health check for it);
//   - an ingress controller: the load balancer address of every Ingress,
//     which Argo CD's health check waits for.
type Operators struct {
	Client  kubernetes.Interface
	Dynamic dynamic.Interface

	SecretDelay            time.Duration
	CertificatesNeverIssue bool
}

// Run serves the stand-ins until ctx ends.
func (o *Operators) Run(ctx context.Context) error {
	return every(ctx, 300*time.Millisecond, func() error {
		for _, pass := range []func(context.Context) error{o.externalSecrets, o.certificates, o.clickhouse, o.ingresses} {
			if err := pass(ctx); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				return err
			}
		}
		return nil
	})
}

func (o *Operators) externalSecrets(ctx context.Context) error {
	list, err := o.Dynamic.Resource(externalSecretGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		es := &list.Items[i]
		if conditionTrue(es, "Ready") || es.GetDeletionTimestamp() != nil {
			continue
		}
		if time.Since(es.GetCreationTimestamp().Time) < o.SecretDelay {
			if err := o.setConditions(ctx, externalSecretGVR, es, condition("Ready", "False", "SecretSyncedError", "could not get secret data from provider")); err != nil {
				return err
			}
			continue
		}
		if err := o.ensureSecret(ctx, es, targetName(es), corev1.SecretTypeOpaque, secretKeys(es)); err != nil {
			return err
		}
		if err := o.setConditions(ctx, externalSecretGVR, es, condition("Ready", "True", "SecretSynced", "secret synced")); err != nil {
			return err
		}
	}
	return nil
}

// targetName is spec.target.name, or the ExternalSecret's own name.
func targetName(es *unstructured.Unstructured) string {
	if n, _, _ := unstructured.NestedString(es.Object, "spec", "target", "name"); n != "" {
		return n
	}
	return es.GetName()
}

// secretKeys are the keys of the target Secret: the template's when it
// has data, else each data entry's secretKey.
func secretKeys(es *unstructured.Unstructured) map[string][]byte {
	out := map[string][]byte{}
	if tmpl, _, _ := unstructured.NestedStringMap(es.Object, "spec", "target", "template", "data"); len(tmpl) > 0 {
		for k := range tmpl {
			out[k] = randomValue()
		}
		return out
	}
	data, _, _ := unstructured.NestedSlice(es.Object, "spec", "data")
	for _, d := range data {
		if m, ok := d.(map[string]any); ok {
			if k, ok := m["secretKey"].(string); ok {
				out[k] = randomValue()
			}
		}
	}
	return out
}

func (o *Operators) certificates(ctx context.Context) error {
	list, err := o.Dynamic.Resource(certificateGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		cert := &list.Items[i]
		if conditionTrue(cert, "Ready") || conditionTrue(cert, "Issuing") || cert.GetDeletionTimestamp() != nil {
			continue
		}
		if o.CertificatesNeverIssue {
			msg := "Issuing certificate as Secret does not exist"
			if err := o.setConditions(ctx, certificateGVR, cert,
				condition("Ready", "False", "DoesNotExist", msg), condition("Issuing", "True", "DoesNotExist", msg)); err != nil {
				return err
			}
			continue
		}
		secret, _, _ := unstructured.NestedString(cert.Object, "spec", "secretName")
		dns, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
		crt, key, err := selfSigned(dns)
		if err != nil {
			return err
		}
		if err := o.ensureSecret(ctx, cert, secret, corev1.SecretTypeTLS, map[string][]byte{corev1.TLSCertKey: crt, corev1.TLSPrivateKeyKey: key}); err != nil {
			return err
		}
		if err := o.setConditions(ctx, certificateGVR, cert, condition("Ready", "True", "Ready", "Certificate is up to date and has not expired")); err != nil {
			return err
		}
	}
	return nil
}

// chiLabel marks what the ClickHouse stand-in made for an installation.
const chiLabel = "clickhouse.altinity.com/chi"

func (o *Operators) clickhouse(ctx context.Context) error {
	list, err := o.Dynamic.Resource(chiGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		chi := &list.Items[i]
		if chi.GetDeletionTimestamp() != nil {
			continue
		}
		if err := o.serveCHI(ctx, chi); err != nil {
			return fmt.Errorf("ClickHouseInstallation %s/%s: %w", chi.GetNamespace(), chi.GetName(), err)
		}
	}
	return nil
}

// chiSpec is the part of a ClickHouseInstallation the stand-in reads.
type chiSpec struct {
	Configuration struct {
		Clusters []struct {
			Name   string `json:"name"`
			Layout struct {
				ShardsCount   int `json:"shardsCount"`
				ReplicasCount int `json:"replicasCount"`
			} `json:"layout"`
		} `json:"clusters"`
	} `json:"configuration"`
	Defaults struct {
		Templates struct {
			PodTemplate             string `json:"podTemplate"`
			ServiceTemplate         string `json:"serviceTemplate"`
			DataVolumeClaimTemplate string `json:"dataVolumeClaimTemplate"`
		} `json:"templates"`
	} `json:"defaults"`
	Templates struct {
		PodTemplates []struct {
			Name     string            `json:"name"`
			Metadata metav1.ObjectMeta `json:"metadata"`
			Spec     corev1.PodSpec    `json:"spec"`
		} `json:"podTemplates"`
		ServiceTemplates []struct {
			Name         string             `json:"name"`
			GenerateName string             `json:"generateName"`
			Spec         corev1.ServiceSpec `json:"spec"`
		} `json:"serviceTemplates"`
		VolumeClaimTemplates []struct {
			Name string                           `json:"name"`
			Spec corev1.PersistentVolumeClaimSpec `json:"spec"`
		} `json:"volumeClaimTemplates"`
	} `json:"templates"`
}

// serveCHI creates an installation's StatefulSets and client Service
// once; the real operator's names and labels, so what selects them by
// those finds them.
func (o *Operators) serveCHI(ctx context.Context, chi *unstructured.Unstructured) error {
	var spec chiSpec
	raw, _, _ := unstructured.NestedMap(chi.Object, "spec")
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &spec); err != nil {
		return err
	}
	ns, name := chi.GetNamespace(), chi.GetName()
	owner := ownerRef(chi)
	selector := map[string]string{chiLabel: name, "clickhouse.altinity.com/app": "chop"}
	for _, st := range spec.Templates.ServiceTemplates {
		if st.Name != spec.Defaults.Templates.ServiceTemplate {
			continue
		}
		svcName := st.GenerateName
		if svcName == "" {
			svcName = "clickhouse-" + name
		}
		svc := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: svcName, Namespace: ns, Labels: selector, OwnerReferences: owner},
			Spec:       st.Spec,
		}
		svc.Spec.Selector = selector
		if _, err := o.Client.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	var pod *corev1.PodTemplateSpec
	for _, pt := range spec.Templates.PodTemplates {
		if pt.Name == spec.Defaults.Templates.PodTemplate {
			pod = &corev1.PodTemplateSpec{ObjectMeta: pt.Metadata, Spec: pt.Spec}
		}
	}
	if pod == nil {
		return fmt.Errorf("no pod template %q", spec.Defaults.Templates.PodTemplate)
	}
	var claims []corev1.PersistentVolumeClaim
	for _, vt := range spec.Templates.VolumeClaimTemplates {
		if vt.Name == spec.Defaults.Templates.DataVolumeClaimTemplate {
			claims = append(claims, corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: vt.Name}, Spec: vt.Spec})
		}
	}
	for _, cl := range spec.Configuration.Clusters {
		for shard := range max(1, cl.Layout.ShardsCount) {
			for replica := range max(1, cl.Layout.ReplicasCount) {
				if err := o.chiHost(ctx, ns, name, cl.Name, shard, replica, selector, owner, pod, claims); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (o *Operators) chiHost(ctx context.Context, ns, chi, cluster string, shard, replica int, selector map[string]string, owner []metav1.OwnerReference, tmpl *corev1.PodTemplateSpec, claims []corev1.PersistentVolumeClaim) error {
	host := fmt.Sprintf("chi-%s-%s-%d-%d", chi, cluster, shard, replica)
	podLabels := map[string]string{"clickhouse.altinity.com/cluster": cluster,
		"clickhouse.altinity.com/shard": strconv.Itoa(shard), "clickhouse.altinity.com/replica": strconv.Itoa(replica)}
	for k, v := range selector {
		podLabels[k] = v
	}
	for k, v := range tmpl.Labels {
		podLabels[k] = v
	}
	pod := tmpl.DeepCopy()
	pod.Labels = podLabels
	for _, cl := range claims {
		pod.Spec.Containers[0].VolumeMounts = append(pod.Spec.Containers[0].VolumeMounts,
			corev1.VolumeMount{Name: cl.Name, MountPath: "/var/lib/clickhouse"})
	}
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: host, Namespace: ns, Labels: podLabels, OwnerReferences: owner},
		Spec: appsv1.StatefulSetSpec{
			Replicas:             ptr(int32(1)),
			ServiceName:          host,
			Selector:             &metav1.LabelSelector{MatchLabels: podLabels},
			Template:             *pod,
			VolumeClaimTemplates: claims,
		},
	}
	if _, err := o.Client.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func (o *Operators) ingresses(ctx context.Context) error {
	list, err := o.Client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		ing := &list.Items[i]
		if len(ing.Status.LoadBalancer.Ingress) > 0 || ing.DeletionTimestamp != nil {
			continue
		}
		// TEST-NET-1 (RFC 5737): an address that is no one's.
		ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "192.0.2.10"}}
		if _, err := o.Client.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, ing, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// ensureSecret creates Secret name beside owner, owned by it, unless it
// exists.
func (o *Operators) ensureSecret(ctx context.Context, owner *unstructured.Unstructured, name string, typ corev1.SecretType, data map[string][]byte) error {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: owner.GetNamespace(), OwnerReferences: ownerRef(owner)},
		Type:       typ,
		Data:       data,
	}
	_, err := o.Client.CoreV1().Secrets(owner.GetNamespace()).Create(ctx, s, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// setConditions replaces obj's status conditions, unless they already say
// the same (types, statuses and reasons).
func (o *Operators) setConditions(ctx context.Context, gvr schema.GroupVersionResource, obj *unstructured.Unstructured, conds ...map[string]any) error {
	have, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	if sameConditions(have, conds) {
		return nil
	}
	list := make([]any, len(conds))
	for i, c := range conds {
		list[i] = c
	}
	obj = obj.DeepCopy()
	if err := unstructured.SetNestedSlice(obj.Object, list, "status", "conditions"); err != nil {
		return err
	}
	_, err := o.Dynamic.Resource(gvr).Namespace(obj.GetNamespace()).UpdateStatus(ctx, obj, metav1.UpdateOptions{})
	return err
}

func sameConditions(have []any, want []map[string]any) bool {
	if len(have) != len(want) {
		return false
	}
	for i, h := range have {
		m, _ := h.(map[string]any)
		for _, k := range []string{"type", "status", "reason"} {
			if m[k] != want[i][k] {
				return false
			}
		}
	}
	return true
}

func condition(typ, status, reason, message string) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": message,
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
}

// conditionTrue: obj's status has condition typ with status True.
func conditionTrue(obj *unstructured.Unstructured, typ string) bool {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && m["type"] == typ && m["status"] == "True" {
			return true
		}
	}
	return false
}

func ownerRef(obj *unstructured.Unstructured) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Name: obj.GetName(), UID: obj.GetUID(), Controller: ptr(true)}}
}

// selfSigned is a key pair for dnsNames, as an issuer would return.
func selfSigned(dnsNames []string) (crt, key []byte, err error) {
	return signSelf(&x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: first(dnsNames)},
		DNSNames:     dnsNames,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
	})
}

// signSelf signs tmpl with a new P-256 key: the certificate and the key,
// PEM-encoded.
func signSelf(tmpl *x509.Certificate) (crt, key []byte, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func randomValue() []byte {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return fmt.Appendf(nil, "%x", b)
}

func jsonObject(m map[string]string) []byte {
	b, _ := json.Marshal(m) // a map[string]string always marshals
	return b
}

func ptr[T any](v T) *T { return &v }
