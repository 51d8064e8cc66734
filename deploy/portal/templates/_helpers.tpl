{{/* 리소스 이름: 릴리스 이름-차트 이름, 63자 제한 / object names: <release>-<chart>, at most 63 characters. */}}
{{- define "portal.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "portal.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "portal.labels" -}}
{{ include "portal.selectorLabels" . }}
app.kubernetes.io/version: {{ include "portal.tag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "portal.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "portal.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* 학습자 릴리스의 객체 이름: hello-world 차트의 fullname 규칙 그대로 (포털의 release/names.rs 와 같다).
     The learner release's object name, by the hello-world chart's fullname rule. */}}
{{- define "portal.learnerFullname" -}}
{{- $release := .Values.learner.release -}}
{{- if contains "hello-world" $release -}}
{{- $release | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-hello-world" $release | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "portal.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-data" (include "portal.fullname" .)) -}}
{{- end -}}

{{/* 학습자에게 묶는 ClusterRole (워크숍 모드) / the ClusterRole learners are bound to (workshop mode). */}}
{{- define "portal.learnerRole" -}}
{{- printf "%s-%s-learner" (include "portal.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "portal.workshopSecret" -}}
{{- .Values.workshop.existingSecret | default (printf "%s-workshop" (include "portal.fullname" .)) -}}
{{- end -}}

{{- define "portal.sessionsSecret" -}}
{{- .Values.sessions.existingSecret | default (printf "%s-sessions" (include "portal.fullname" .)) -}}
{{- end -}}

{{- define "portal.databaseSecret" -}}
{{- .Values.database.existingSecret | default (printf "%s-database" (include "portal.fullname" .)) -}}
{{- end -}}

{{/* PostgreSQL is configured: several replicas may share it. */}}
{{- define "portal.sharedDatabase" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}true{{ end -}}
{{- end -}}
