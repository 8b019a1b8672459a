{{/* Names and labels of the node agent (component node-agent; KUBERNETES.md item 1). */}}
{{- define "zerokube.nodeAgentName" -}}
{{- printf "%s-node-agent" (include "zerokube.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "zerokube.nodeAgentNamespace" -}}
{{- .Values.nodeAgent.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "zerokube.nodeAgentSelectorLabels" -}}
app.kubernetes.io/name: zerokube
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node-agent
{{- end -}}

{{- define "zerokube.nodeAgentLabels" -}}
{{ include "zerokube.nodeAgentSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: zerokube
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "zerokube.nodeAgentImage" -}}
{{- with .Values.nodeAgent.image -}}
{{- if .digest -}}
{{ .repository }}@{{ .digest }}
{{- else -}}
{{ .repository }}:{{ .tag | default $.Chart.AppVersion }}
{{- end -}}
{{- end -}}
{{- end -}}
