{{/* Names and labels. */}}
{{- define "atlas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "atlas.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "atlas.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "atlas.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "atlas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "atlas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "atlas.labels" -}}
{{ include "atlas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "atlas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "atlas.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "atlas.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "atlas.driver" -}}
{{- $tasks := default dict .Values.config.tasks -}}
{{- default "local" $tasks.driver -}}
{{- end -}}

{{- define "atlas.jobsNamespace" -}}
{{- $tasks := default dict .Values.config.tasks -}}
{{- $k8s := default dict $tasks.kubernetes -}}
{{- required "config.tasks.kubernetes.namespace is required with the kubernetes driver" $k8s.namespace -}}
{{- end -}}

{{/* How the task jobs reach Atlas (tasks.jobUrl): this release's Service, from any namespace. */}}
{{- define "atlas.jobUrl" -}}
{{- printf "%s://%s.%s.svc:%d" (include "atlas.scheme" .) (include "atlas.fullname" .) .Release.Namespace (int .Values.service.port) -}}
{{- end -}}

{{/* http, or https with server.tls.existingSecret */}}
{{- define "atlas.scheme" -}}
{{- ternary "https" "http" (not (empty .Values.server.tls.existingSecret)) -}}
{{- end -}}

{{/*
atlas.yaml: .Values.config plus the keys the chart owns (server, shutdown, webhooks.spoolDir, auth.signingKeys,
routes.dir, policies.dir), auth.storage's chart default (kubernetes) and the namespace its Role is in, and, with the
kubernetes driver, tasks.jobUrl unless given. Fails when a secret key holds a value instead of a reference.
*/}}
{{- define "atlas.config" -}}
{{- $cfg := deepCopy (default dict .Values.config) -}}
{{- if hasKey $cfg "server" -}}{{- fail "set server.port and server.maxBodyBytes, not config.server" -}}{{- end -}}
{{- if hasKey $cfg "shutdown" -}}{{- fail "set shutdown.timeoutSeconds, not config.shutdown" -}}{{- end -}}
{{- $_ := set $cfg "server" (dict "port" (int .Values.server.port) "maxBodyBytes" (int64 .Values.server.maxBodyBytes)) -}}
{{- if .Values.server.tls.existingSecret -}}
{{- $_ := set $cfg.server "tls" (dict "certificate" "${file:/etc/atlas/tls/tls.crt}" "privateKey" "${file:/etc/atlas/tls/tls.key}") -}}
{{- end -}}
{{- $_ := set $cfg "shutdown" (dict "timeout" (printf "%ds" (int .Values.shutdown.timeoutSeconds))) -}}
{{- $webhooks := default dict $cfg.webhooks -}}
{{- if hasKey $webhooks "spoolDir" -}}{{- fail "config.webhooks.spoolDir is set by the chart (/var/lib/atlas/spool)" -}}{{- end -}}
{{- $_ := set $webhooks "spoolDir" "/var/lib/atlas/spool" -}}
{{- $_ := set $cfg "webhooks" $webhooks -}}
{{- $auth := default dict $cfg.auth -}}
{{- if hasKey $auth "signingKeys" -}}{{- fail "config.auth.signingKeys is set by the chart (see signingKeys.existingSecret)" -}}{{- end -}}
{{- $_ := set $auth "signingKeys" (ternary "/etc/atlas/keys" "/var/lib/atlas/keys" (not (empty .Values.signingKeys.existingSecret))) -}}
{{- $_ := set $auth "storage" (include "atlas.authStorage" .) -}}
{{- if eq $auth.storage "kubernetes" -}}
{{- $_ := set $auth "kubernetes" (merge (dict "namespace" (include "atlas.authNamespace" .)) (default dict $auth.kubernetes)) -}}
{{- end -}}
{{- $_ := set $cfg "auth" $auth -}}
{{- if eq (include "atlas.driver" .) "kubernetes" -}}
{{- $tasks := default dict $cfg.tasks -}}
{{- if not $tasks.jobUrl -}}
{{- $_ := set $tasks "jobUrl" (include "atlas.jobUrl" .) -}}
{{- end -}}
{{- $_ := set $cfg "tasks" $tasks -}}
{{- end -}}
{{- if .Values.routes.configMap -}}{{- $_ := set $cfg "routes" (dict "dir" "/etc/atlas/routes") -}}{{- end -}}
{{- if .Values.policies.configMap -}}{{- $_ := set $cfg "policies" (dict "dir" "/etc/atlas/policies") -}}{{- end -}}
{{- include "atlas.assertReferences" (dict "path" "config" "value" $cfg) -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
Walks the config: a key that names a secret must hold a ${file:...} or ${env:...} reference, never the secret.
rabbitmq.uri may carry a user name, but its password must be a reference.
*/}}
{{- define "atlas.assertReferences" -}}
{{- $secretKeys := list "cloudSecret" "hmacSecret" "webhookSecret" "clientSecret" "privateKey" "token" "appPassword" "secret" "password" -}}
{{- $reference := "^\\$\\{(env|file):[^}]+\\}$" -}}
{{- if kindIs "map" .value -}}
{{- range $key, $value := .value -}}
{{- $path := printf "%s.%s" $.path $key -}}
{{- if and (has $key $secretKeys) (kindIs "string" $value) (not (regexMatch $reference $value)) -}}
{{- fail (printf "%s: must be a ${file:...} or ${env:...} reference to a mounted Secret, never the secret itself" $path) -}}
{{- end -}}
{{- if and (eq $path "config.rabbitmq.uri") (not (regexMatch "^amqps?://([^:@/]+(:\\$\\{(env|file):[^}]+\\})?@)?[^@]+$" (toString $value))) (not (regexMatch $reference (toString $value))) -}}
{{- fail "config.rabbitmq.uri: the password must be a ${file:...} or ${env:...} reference (or make the whole URI one)" -}}
{{- end -}}
{{- include "atlas.assertReferences" (dict "path" $path "value" $value) -}}
{{- end -}}
{{- else if kindIs "slice" .value -}}
{{- range $i, $value := .value -}}
{{- include "atlas.assertReferences" (dict "path" (printf "%s[%d]" $.path $i) "value" $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
auth.storage of atlas.yaml (default here: kubernetes). file would write under the config's folder, which is on the
read-only root file system: refused. The namespace of the login state: auth.kubernetes.namespace, else the release's.
*/}}
{{- define "atlas.authStorage" -}}
{{- $auth := default dict .Values.config.auth -}}
{{- $storage := default "kubernetes" $auth.storage -}}
{{- if eq $storage "file" -}}
{{- fail "config.auth.storage: file needs a writable data folder next to atlas.yaml, which the chart does not have: use kubernetes (any number of replicas) or memory" -}}
{{- end -}}
{{- $storage -}}
{{- end -}}

{{- define "atlas.authNamespace" -}}
{{- $auth := default dict .Values.config.auth -}}
{{- $k8s := default dict $auth.kubernetes -}}
{{- default .Release.Namespace $k8s.namespace -}}
{{- end -}}
