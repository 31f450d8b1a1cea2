# Every shape of container the export must carry to Kubernetes and Compose.

trustform {
  developer_certificate_trust = false
}

certificate_authority_collection "corp" {
  files = ["certs/corp-ca.pem"]
}

certificate_authority_collection "extra" {
  files = ["certs/extra-ca.pem"]
}

# append (the default): SSL_CERT_DIR lists ours before the image's.
resource "container" "api" {
  image      = "registry.example/api:1.4"
  entrypoint = "/api"
  args       = ["--listen", ":8443", "--ca", trust.bundle_path]
  ports      = ["8443:443", "127.0.0.1:9090:9090/udp"]
  env        = { LOG_LEVEL = "info", SSL_CERT_DIR = "/opt/certs" }
  volumes    = ["./data:/data:ro"]

  certificate_authority_collections = [certificate_authority_collection.corp]
}

# Same certificates, so the same trust set as api.
resource "container" "worker" {
  image   = "registry.example/worker:2"
  network = "host"

  certificate_authority_collections = [certificate_authority_collection.corp]
  certificate_trust_scope           = "override"
}

resource "container" "legacy" {
  image = "registry.example/legacy:7"

  certificate_authority_collections = [
    certificate_authority_collection.corp,
    certificate_authority_collection.extra,
  ]
  certificate_trust_scope = "system"

  container_certificate_paths {
    custom_certificates_destination  = "/etc/trustform"
    default_certificate_bundle_paths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
  }

  certificate_trust_configuration {
    environment = { APP_CA_FILE = trust.bundle_path }
  }
}

resource "container" "plain" {
  image                   = "registry.example/plain:1"
  certificate_trust_scope = "none"
}

resource "executable" "tool" {
  command = "/bin/true"
}

resource "node_app" "web" {
  script = "web.js"
}
