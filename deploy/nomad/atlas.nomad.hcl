# Atlas as a Nomad service job (docker task driver). See deploy/docs/nomad.md.
#
# Before `nomad job run atlas.nomad.hcl`:
#   1. a host volume "atlas-data" on the client nodes, writable by uid 65532 (client config):
#        host_volume "atlas-data" { path = "/srv/atlas" read_only = false }     # chown 65532:65532 /srv/atlas
#   2. the secrets in the Nomad Variable nomad/jobs/atlas (readable by this job's tasks, by no other job):
#        nomad var put nomad/jobs/atlas \
#          cloud_secret=whsec_... cloud_jwt_secret=... oauth_client_secret=... \
#          gh_webhook_secret=... gh_oauth_secret=... gh_private_key=@gh.pem nomad_token=...
#   3. a Nomad ACL token for Atlas's task driver (tasks.nomad.token), with the policy in
#      drivers/driver-nomad/README.md (submit-job, read-job, list-jobs; variables nomad/jobs/atlas-*).
#   4. for the task jobs (tasks.driver: nomad): the CNI plugins for bridge networking on the clients, and rules that
#      let the jobs' bridge network reach only Atlas (tasks.jobUrl below) and DNS: deploy/docs/nomad.md and
#      deploy/docs/security.md. The jobs' tasks hold no VCS credential: they clone, push and post results only
#      through Atlas, with per-task tokens that only Atlas's own steps of a job (clone, report) see.
#
# One allocation per spool: the host volume holds the webhook spool, so run count = 1 per volume (see the
# constraint below); scale out with one job (or group) per node and volume, never two allocations on one spool.

variable "image" {
  type    = string
  default = "registry.acme.example/atlas:0.1.0"
}

variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

job "atlas" {
  type        = "service"
  datacenters = var.datacenters

  group "atlas" {
    count = 1

    # a restarted allocation must find its spool again: stay on the node that holds the host volume
    volume "data" {
      type      = "host"
      source    = "atlas-data"
      read_only = false
    }

    network {
      port "http" {
        to = 8080          # server.port
      }
    }

    service {
      name     = "atlas"
      port     = "http"
      provider = "nomad"

      check {
        name     = "live"
        type     = "http"
        path     = "/health/live"
        interval = "10s"
        timeout  = "3s"
      }

      check {
        name     = "ready"
        type     = "http"
        path     = "/health/ready"
        interval = "5s"
        timeout  = "3s"
      }
    }

    restart {
      attempts = 10
      interval = "30m"
      delay    = "10s"
      mode     = "delay"
    }

    update {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "10s"
      healthy_deadline = "3m"
    }

    task "atlas" {
      driver = "docker"
      user   = "65532:65532"

      # above shutdown.timeout (30s): Atlas drains before Nomad kills it; SIGTERM ends it with exit 0
      kill_signal  = "SIGTERM"
      kill_timeout = "45s"

      config {
        image           = var.image
        ports           = ["http"]
        args            = ["run", "--config", "/local/atlas.yaml"]
        readonly_rootfs = true

        mount {
          type   = "tmpfs"
          target = "/tmp"
          readonly = false
          tmpfs_options {
            size = 268435456
          }
        }
      }

      volume_mount {
        volume      = "data"
        destination = "/var/lib/atlas"
      }

      # JVM options: the image's (bin/atlas's defaults plus ATLAS_JAVA_OPTS); JAVA_OPTS in an env block replaces the
      # defaults

      # the secrets, one file each in the task's secrets/ (a tmpfs, noexec, not in the allocation's logs);
      # atlas.yaml reads them with ${file:/secrets/...} (written $${...} below: the HCL escape). change_mode restart: a new value restarts Atlas.
      template {
        destination = "secrets/cloudSecret"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .cloud_secret }}{{ end }}"
      }

      template {
        destination = "secrets/cloudJwtSecret"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .cloud_jwt_secret }}{{ end }}"
      }

      template {
        destination = "secrets/oauthClientSecret"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .oauth_client_secret }}{{ end }}"
      }

      template {
        destination = "secrets/ghWebhookSecret"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .gh_webhook_secret }}{{ end }}"
      }

      template {
        destination = "secrets/ghPrivateKey"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .gh_private_key }}{{ end }}"
      }

      template {
        destination = "secrets/ghOauthSecret"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .gh_oauth_secret }}{{ end }}"
      }

      template {
        destination = "secrets/nomadToken"
        perms       = "0400"
        uid         = 65532
        gid         = 65532
        change_mode = "restart"
        data        = "{{ with nomadVar \"nomad/jobs/atlas\" }}{{ .nomad_token }}{{ end }}"
      }

      # atlas.yaml: no secret in it, only ${file:/secrets/...} references. Edit it here (or render it from your
      # own Variable); every key is documented in atlas.example.yaml of the distribution.
      template {
        destination     = "local/atlas.yaml"
        change_mode     = "restart"
        data            = <<-YAML
          runner:
            id: acme-runner
            publicUrl: https://atlas.acme.example
            cloudSecret: $${file:/secrets/cloudSecret}
          server: { port: 8080 }
          shutdown: { timeout: 30s }
          cloud:
            url: https://asgard.example
            auth:
              hmacSecret: $${file:/secrets/cloudJwtSecret}
              audience: acme-runner
          installations:
            - id: acme
              apps:
                - id: gh-main
                  vcs: github
                  webUrl: https://github.com
                  apiUrl: https://api.github.com
                  webhookSecret: $${file:/secrets/ghWebhookSecret}
                  github: { appId: "12345", privateKey: "$${file:/secrets/ghPrivateKey}" }
                  oauth: { clientId: Iv1.abc, clientSecret: "$${file:/secrets/ghOauthSecret}" }
          webhooks: { spool: file, spoolDir: /var/lib/atlas/spool }
          tasks:
            driver: nomad
            jobImage: registry.acme.example/atlas:0.1.0
            # how the task jobs reach Atlas (git and results endpoints): this allocation's http port on its client
            jobUrl: http://{{ env "NOMAD_ADDR_http" }}
            nomad:
              address: http://{{ env "attr.unique.network.ip-address" }}:4646
              token: $${file:/secrets/nomadToken}
              namespace: default
              datacenters: [dc1]
              driver: docker             # exec / raw_exec are refused unless allowUnisolated: true
          auth:
            clients:
              - id: asgard
                secret: $${file:/secrets/oauthClientSecret}
                redirectUris: [https://asgard.example/auth/callback]
            signingKeys: /var/lib/atlas/keys
          YAML
      }

      resources {
        cpu    = 500   # MHz
        memory = 512   # MiB; the heap is 75% of it (MaxRAMPercentage)
      }
    }
  }
}
