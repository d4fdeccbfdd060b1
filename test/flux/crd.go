package flux

import (
	"fmt"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// Schemas validate objects against their CRDs' OpenAPI schemas as the API
// server does on create: the schema's defaults applied, then types,
// required fields, enums, patterns and bounds checked. (Flux's CEL rules
// concern fields this example does not set: kubeConfig, a GitRepository's
// provider.)
type Schemas map[schema.GroupVersionKind]crdVersion

type crdVersion struct {
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
}

// LoadCRDs reads every served version's schema of the CRDs in files.
func LoadCRDs(files ...string) (Schemas, error) {
	out := Schemas{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			cv, err := compile(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s: version %s: %w", file, v.Name, err)
			}
			out[schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}] = cv
		}
	}
	return out, nil
}

func compile(s *apiextensionsv1.JSONSchemaProps) (crdVersion, error) {
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(s, &internal, nil); err != nil {
		return crdVersion{}, err
	}
	structural, err := structuralschema.NewStructural(&internal)
	if err != nil {
		return crdVersion{}, err
	}
	validator, _, err := validation.NewSchemaValidator(&internal)
	if err != nil {
		return crdVersion{}, err
	}
	return crdVersion{structural, validator}, nil
}

// Validate checks every document of stream (named file in errors) against
// its CRD; an object of a kind without one is an error.
func (s Schemas) Validate(file string, stream []byte) error {
	return eachDocument(file, stream, func(doc []byte) error {
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			return err
		}
		cv, ok := s[u.GroupVersionKind()]
		if !ok {
			return fmt.Errorf("%s %s: no CRD defines it", u.GetAPIVersion(), u.GetKind())
		}
		structuraldefaulting.Default(u.Object, cv.structural)
		if errs := validation.ValidateCustomResource(nil, u.Object, cv.validator); len(errs) > 0 {
			return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), errs.ToAggregate())
		}
		return nil
	})
}
