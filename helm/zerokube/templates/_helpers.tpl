{{/* Names and labels shared by every object (KUBERNETES.md item 1). */}}
{{- define "zerokube.fullname" -}}
{{- if contains "zerokube" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-zerokube" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "zerokube.operatorName" -}}
{{- printf "%s-operator" (include "zerokube.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "zerokube.selectorLabels" -}}
app.kubernetes.io/name: zerokube
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "zerokube.labels" -}}
{{ include "zerokube.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: zerokube
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "zerokube.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "zerokube.pendingNamespace" -}}
{{- .Values.pendingNamespace | default .Release.Namespace -}}
{{- end -}}

{{/* The Service of the webhooks and the join endpoint (API.md: zerokube-join). */}}
{{- define "zerokube.joinService" -}}
{{- printf "%s-join" (include "zerokube.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "zerokube.sidecarImage" -}}
{{- with .Values.pods.sidecar.image -}}
{{- if .digest -}}
{{ .repository }}@{{ .digest }}
{{- else -}}
{{ .repository }}:{{ .tag | default $.Chart.AppVersion }}
{{- end -}}
{{- end -}}
{{- end -}}
