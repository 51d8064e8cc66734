{{/* 리소스 이름의 뿌리: 릴리스 이름-차트 이름 (hello-hello-world). 63자 제한. */}}
{{- define "hello-world.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Service 와 Deployment 가 파드를 찾는 데 쓰는 레이블. 한 번 정하면 바꾸지 않는다. */}}
{{- define "hello-world.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* 모든 리소스에 붙이는 레이블: 선택용 레이블 + 버전·관리 도구 정보. */}}
{{- define "hello-world.labels" -}}
{{ include "hello-world.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.app.version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
