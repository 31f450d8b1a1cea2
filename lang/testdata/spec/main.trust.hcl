# The example of SPEC section 3, verbatim. The test supplies the
# certificates (certs/corp-root.pem, certs/extra/*.pem).
trustform {
  developer_certificate_trust = true       # default for every resource; default true
  container_runtime           = "auto"     # auto | docker | podman
}

variable "corp_ca_file" {
  type    = string
  default = "certs/corp-root.pem"
}

locals {
  api_port = 8443
}

certificate_authority_collection "corp" {
  certificates = [file(var.corp_ca_file)]  # list of PEM strings (each may hold several blocks)
  files        = ["certs/extra/*.pem"]     # glob patterns, relative to the config directory
}

resource "python_app" "api" {
  script      = "api/server.py"
  args        = ["--port", tostring(local.api_port), "--cert", devcert.localhost.cert_file,
                 "--key", devcert.localhost.key_file]
  working_dir = "."
  env         = { LOG_LEVEL = "info" }
  ready_when { tcp = "127.0.0.1:${local.api_port}" }
}

resource "node_app" "web" {
  script = "web/index.js"
  env    = { API_URL = "https://localhost:${local.api_port}" }

  certificate_authority_collections = [certificate_authority_collection.corp]
  developer_certificate_trust       = true
  certificate_trust_scope           = "append"

  certificate_trust_configuration {
    environment = { MY_CLIENT_CA = trust.bundle_path }
    arguments   = ["--ca-file", trust.bundle_path]
  }

  depends_on = [python_app.api]
}

resource "container" "cache" {
  image = "redis:7"
  args  = ["--tls-ca-cert-file", trust.bundle_path]
  certificate_authority_collections = [certificate_authority_collection.corp]
  certificate_trust_scope           = "override"

  container_certificate_paths {
    custom_certificates_destination = "/usr/lib/ssl/trustform"
    default_certificate_bundle_paths    = ["/etc/ssl/certs/ca-certificates.crt"]
    default_certificate_directory_paths = ["/etc/ssl/certs"]
  }
}

output "web_bundle" {
  value = node_app.web.trust_bundle_path
}
