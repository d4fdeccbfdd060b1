{{/*
The recommended labels novagen puts on every object:
include "bench.labels" (list $ NAME COMPONENT)
*/}}
{{- define "bench.labels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/component: {{ index . 2 }}
app.kubernetes.io/managed-by: novagen
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/part-of: {{ $.Values.partOf }}
{{- end }}

{{/* The metadata of an object in the namespace: include "bench.metadata" (list $ NAME COMPONENT WAVE GENERATOR) */}}
{{- define "bench.metadata" -}}
{{- $ := index . 0 -}}
metadata:
  name: {{ index . 1 }}
  namespace: {{ $.Values.namespace }}
  annotations:
    argocd.argoproj.io/sync-wave: {{ index . 3 | quote }}
    novagen.nova.dev/generator: {{ index . 4 }}
  labels:
    {{- include "bench.labels" (list $ (index . 1) (index . 2)) | nindent 4 }}
{{- end }}

{{/* Pod Security "restricted", for one container: include "bench.containerSecurity" $ */}}
{{- define "bench.containerSecurity" -}}
allowPrivilegeEscalation: false
capabilities:
  drop:
  - ALL
privileged: false
readOnlyRootFilesystem: true
runAsGroup: {{ .Values.runAsUser }}
runAsNonRoot: true
runAsUser: {{ .Values.runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The pod's health probe, by protocol: include "bench.probe" (list $ SERVICE) */}}
{{- define "bench.probe" -}}
{{- $ := index . 0 }}{{ $svc := index . 1 -}}
{{- if $svc.http -}}
httpGet:
  path: {{ $svc.http.healthPath }}
  port: {{ $svc.http.port }}
  scheme: HTTP
{{- else -}}
grpc:
  port: {{ $.Values.ports.grpc }}
  service: ""
{{- end }}
{{- end }}

{{/* A podSelector of a name: include "bench.byName" NAME */}}
{{- define "bench.byName" -}}
podSelector:
  matchLabels:
    app.kubernetes.io/name: {{ . }}
{{- end }}

{{/* A NetworkPolicy peer: pods with labels in a namespace: include "bench.peer" (dict "namespace" NS "podLabels" LABELS) */}}
{{- define "bench.peer" -}}
{{- if .namespace }}
namespaceSelector:
  matchLabels:
    kubernetes.io/metadata.name: {{ .namespace }}
{{- end }}
{{- if .podLabels }}
podSelector:
  matchLabels:
    {{- toYaml .podLabels | nindent 4 }}
{{- end }}
{{- end }}
