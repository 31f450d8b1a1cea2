trustform {
  developer_certificate_trust = false
}

variable "api_token" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

certificate_authority_collection "corp" {
  certificates = [file("certs/corp-root.pem")]
  files        = ["certs/proxy-*.pem"]
}

resource "python_app" "api" {
  script = "api/server.py"
  args   = ["--port", "9443", "--token", var.api_token]
  env    = { LOG_LEVEL = "info" }
  certificate_authority_collections = [certificate_authority_collection.corp]
}

resource "node_app" "web" {
  script = "web/index.js"
  env    = { API_URL = "https://localhost:9443" }

  certificate_authority_collections = [certificate_authority_collection.corp]
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
}

output "web_bundle" {
  value = node_app.web.trust_bundle_path
}
