package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Cluster is what verify reads of a cluster: objects through the
// dynamic client (converted into k8s.io/api's types where a check reads
// them), and pod logs.
type Cluster interface {
	Get(ctx context.Context, gvr schema.GroupVersionResource, namespace, name string) (*unstructured.Unstructured, error)
	List(ctx context.Context, gvr schema.GroupVersionResource, namespace, selector string) ([]unstructured.Unstructured, error)
	Create(ctx context.Context, gvr schema.GroupVersionResource, obj *unstructured.Unstructured) (*unstructured.Unstructured, error)
	// Logs returns at most the last tail lines (and maxLogBytes) of a
	// container's log of the last since seconds.
	Logs(ctx context.Context, namespace, pod, container string, since, tail int64) (string, error)
}

// The resources verify reads.
var (
	gvrNamespace     = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	gvrPod           = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	gvrSecret        = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	gvrConfigMap     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	gvrStorageClass  = schema.GroupVersionResource{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"}
	gvrJob           = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	gvrDeployment    = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrStatefulSet   = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	gvrEndpointSlice = schema.GroupVersionResource{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}
	gvrAccessReview  = schema.GroupVersionResource{Group: "authorization.k8s.io", Version: "v1", Resource: "selfsubjectaccessreviews"}
)

// gvrOf is the resource of a rendered custom resource (an
// ExternalSecret, a ClickHouseInstallation, a KafkaTopic): the version
// the render uses, the plural of its kind.
func gvrOf(o *unstructured.Unstructured) schema.GroupVersionResource {
	gv, _ := schema.ParseGroupVersion(o.GetAPIVersion())
	return gv.WithResource(strings.ToLower(o.GetKind()) + "s")
}

// maxLogBytes bounds what one container's log may bring.
const maxLogBytes = 1 << 20

// Connection is how to reach the cluster: a kubeconfig (default: the
// usual loading rules, $KUBECONFIG then ~/.kube/config) and a context.
type Connection struct {
	Kubeconfig, Context string
}

// client is Cluster over client-go's dynamic client and an HTTP client
// with the same credentials for logs (a text subresource).
type client struct {
	dyn  dynamic.Interface
	http *http.Client
	host string
}

// Connect builds a Cluster from c, and returns the kubeconfig context's
// namespace too ("" when it names none).
func Connect(c Connection) (Cluster, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if c.Kubeconfig != "" {
		rules.ExplicitPath = c.Kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: c.Context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return newClient(cfg)
}

func newClient(cfg *rest.Config) (*client, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	host, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, err
	}
	return &client{dyn: dyn, http: hc, host: strings.TrimSuffix(host.String(), "/")}, nil
}

func (c *client) resource(gvr schema.GroupVersionResource, ns string) dynamic.ResourceInterface {
	if ns == "" {
		return c.dyn.Resource(gvr)
	}
	return c.dyn.Resource(gvr).Namespace(ns)
}

func (c *client) Get(ctx context.Context, gvr schema.GroupVersionResource, ns, name string) (*unstructured.Unstructured, error) {
	return c.resource(gvr, ns).Get(ctx, name, metav1.GetOptions{})
}

func (c *client) List(ctx context.Context, gvr schema.GroupVersionResource, ns, selector string) ([]unstructured.Unstructured, error) {
	l, err := c.resource(gvr, ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

func (c *client) Create(ctx context.Context, gvr schema.GroupVersionResource, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	return c.resource(gvr, obj.GetNamespace()).Create(ctx, obj, metav1.CreateOptions{})
}

func (c *client) Logs(ctx context.Context, ns, pod, container string, since, tail int64) (string, error) {
	q := url.Values{"container": {container}, "tailLines": {strconv.FormatInt(tail, 10)}, "limitBytes": {strconv.Itoa(maxLogBytes)}}
	if since > 0 {
		q.Set("sinceSeconds", strconv.FormatInt(since, 10))
	}
	u := fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s/log?%s", c.host, url.PathEscape(ns), url.PathEscape(pod), q.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxLogBytes+1))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", apiError(resp.StatusCode, body)
	}
	return string(body), nil
}

// Reachable asks the API server for the namespace: an answer, even a
// refusal or "not found" (which the checks report), says it is
// reachable; no answer (a wrong address, a certificate, credentials that
// cannot be used) is an error, not a FAIL.
func Reachable(ctx context.Context, c Cluster, namespace string) error {
	_, err := c.Get(ctx, gvrNamespace, "", namespace)
	var status apierrors.APIStatus
	if err != nil && !errors.As(err, &status) {
		return fmt.Errorf("cannot reach the cluster: %w", err)
	}
	return nil
}

// apiError is the API server's Status message of a failed request, or
// the HTTP status.
func apiError(code int, body []byte) error {
	var st metav1.Status
	if err := runtimeDecode(body, &st); err == nil && st.Message != "" {
		return &apierrors.StatusError{ErrStatus: st}
	}
	return fmt.Errorf("HTTP %d: %s", code, oneLine(strings.TrimSpace(string(body[:min(len(body), 200)]))))
}

// runtimeDecode decodes a JSON object into out.
func runtimeDecode(body []byte, out any) error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, out)
}

// typed converts a live object into k8s.io/api's type T.
func typed[T any](u *unstructured.Unstructured) (*T, error) {
	var out T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
	}
	return &out, nil
}
